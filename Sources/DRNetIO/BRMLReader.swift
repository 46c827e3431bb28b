#if canImport(FoundationXML)
    import FoundationXML
#endif
import DRNetEngine
import Foundation
import ZIPFoundation

/// Reads Bruker DIFFRAC.SUITE `.brml` files into one `MeasuredScan` per raw-data entry, without
/// unit conversion or resampling. The archive is read into memory with ZIPFoundation and each
/// entry's XML is parsed with Foundation's `XMLParser`.
///
/// **Structure read.** A `.brml` is a ZIP archive of XML files; the scans are the entries
/// `Experiment0/RawData<n>.xml`, taken in the order of `n` (`RawData0.xml` must be there). Every
/// such entry becomes one scan; `scanIndex` is its 0-based position when the archive holds more
/// than one, nil otherwise. Each entry's root is `<RawData>`; the measured data are the
/// `<DataRoutes><DataRoute>` marked `RouteFlag="Measured"` (or the only route), which holds:
/// - `<ScanInformation>`: `<MeasurementPoints>`, `<TimePerStep>`, `<TimePerStepEffective>` and
///   `<ScanAxes>` with one `<ScanAxisInfo AxisId="…">` per scanned axis, each with `<Reference>`,
///   `<Start>`, `<Stop>`, `<Increment>` and a `<Unit Base="Degree">`;
/// - one `<Datum>` per point: comma-separated values whose columns `<DataViews>` describes, one
///   `<RawDataView>` per channel with its first column `Start` and its width `Length`:
///   `xsi:type="FixedRawDataView"` (`LogicName="MeasuredTime"`, the counting time in seconds, or
///   `"AbsorptionFactor"`), `VaryingRawDataView` (the axis positions, named by its
///   `<FieldDefinitions AxisId>`) and `RecordedRawDataView` (the detector's counts). A route
///   without `<DataViews>` is read in the layout other readers assume for it: time, absorption
///   factor, one column per scan axis in `<ScanAxes>` order, then the counts.
///
/// The scan becomes:
/// - x: 2θ in degrees from the `TwoTheta` axis (`AxisId`, else `AxisName`, any case):
///   xᵢ = (Reference + Start) + i·Increment for the axis's N points, N = `<MeasurementPoints>`,
///   else round((Stop − Start)/Increment) + 1, else the number of `<Datum>` rows. (The 2θ column
///   of the rows is rounded to 4 decimals by the instrument software and is not used.)
/// - intensity: the counts column, as stored. Bruker stores counts already corrected by the
///   `AbsorptionFactor` it records, so no factor is applied.
/// - `countingTime`: the `MeasuredTime` column when it is the same positive value on every row
///   (nil when it varies), else `<TimePerStepEffective>`, else `<TimePerStep>` (seconds; for a
///   position-sensitive detector the effective time is the per-channel time times the channels
///   that pass each point); nil when none is stated or the value is not positive.
/// - wavelength: `<WaveLengthAlpha1>` (`Value` attribute, Å) of the tube in
///   `<FixedInformation>`, with the `<WaveLengthAlpha2>` and `<WaveLengthRatio>` beside it
///   (a Kα2 of 0 is read as none); else a `<WaveLength>` element there as Kα1 alone; `origin`
///   names the file, the entry and the elements; nil when the entry states none.
/// The axis is always `.twoTheta`.
///
/// **Errors** (`InputError`, naming the file, the entry, the element and its line, what was
/// expected and what was found): a missing, empty or unreadable file; a file that is not a ZIP
/// archive; a ZIP without `Experiment0/RawData0.xml` ("a zip without the expected entry"); a
/// damaged entry; XML that is not well-formed or not a Bruker RawData file (root other than
/// `<RawData>`, no `<DataRoute>`, several routes none of them alone marked `Measured`); no
/// `TwoTheta` scan axis; an axis unit other than degrees; a missing or non-numeric
/// `<Start>`/`<Increment>`, a zero increment, a `<MeasurementPoints>` that is not a positive
/// whole number, or a `<Stop>` more than half an increment away from the last point; a
/// `<RawDataView>` without a usable `Start`/`Length`, no recorded (counts) view, or one wider
/// than one value per point (a detector frame); no `<Datum>` row; a row with a number of values
/// other than the columns described, or a non-numeric or non-finite value (which row, which
/// value); fewer than two points; a number of rows other than the axis's point count; a
/// wavelength that is non-numeric, not positive or in a unit other than Å, or a negative
/// Kα2/Kα1 ratio. Whether 2θ increases is not checked here.
public enum BRMLReader {
    /// The entry every `.brml` holds.
    static let firstEntry = "Experiment0/RawData0.xml"

    /// Reads every scan of the `.brml` file at `path`.
    public static func read(path: String) throws -> [MeasuredScan] {
        let bytes = try InputFile.readBinary(path: path)
        guard !bytes.isEmpty else {
            throw InputError(file: path, expected: "a Bruker .brml file (a ZIP archive)", found: "an empty file")
        }
        let archive: Archive
        do {
            archive = try Archive(data: Data(bytes), accessMode: .read)
        } catch {
            throw InputError(
                file: path, expected: "a Bruker .brml file (a ZIP archive of XML files)",
                found: "a file that is not a zip archive (\(error))")
        }
        var names: [String] = []
        var raw: [(number: Int, entry: Entry)] = []
        for entry in archive {
            names.append(entry.path)
            if entry.type == .file, let n = rawDataNumber(entry.path) { raw.append((n, entry)) }
        }
        guard names.contains(firstEntry) else {
            let listed = names.prefix(5).joined(separator: ", ") + (names.count > 5 ? ", …" : "")
            throw InputError(
                file: path, expected: "a Bruker .brml archive holding \(firstEntry)",
                found: "a zip without the expected entry (\(names.isEmpty ? "no entries" : "entries: \(listed)"))")
        }
        raw.sort { $0.number < $1.number }
        let fileName = URL(fileURLWithPath: path).lastPathComponent
        var scans: [MeasuredScan] = []
        scans.reserveCapacity(raw.count)
        for (index, item) in raw.enumerated() {
            var data = Data()
            var problem: String? = nil
            do {
                // `extract(_:consumer:)` returns the CRC-32 of what it read without comparing it
                // with the archive's: compared here (a stored 0 is taken as "not recorded").
                let crc = try archive.extract(item.entry) { data.append($0) }
                if item.entry.checksum != 0 && crc != item.entry.checksum {
                    problem = "a CRC-32 of \(String(crc, radix: 16)) where the archive records \(String(item.entry.checksum, radix: 16))"
                }
            } catch {
                problem = "\(error)"
            }
            if let problem {
                throw InputError(
                    file: path, location: "entry \(item.entry.path)", expected: "a readable zip entry",
                    found: "a damaged entry (\(problem))")
            }
            let parsed = try parse(data, path: path, entry: item.entry.path)
            scans.append(
                try parsed.scan(index: raw.count == 1 ? nil : index, fileName: fileName))
        }
        return scans
    }

    /// `n` for an entry named `Experiment0/RawData<n>.xml`, else nil.
    static func rawDataNumber(_ name: String) -> Int? {
        let prefix = "Experiment0/RawData"
        let suffix = ".xml"
        guard name.hasPrefix(prefix), name.hasSuffix(suffix), name.count > prefix.count + suffix.count else { return nil }
        let digits = name.dropFirst(prefix.count).dropLast(suffix.count)
        guard digits.allSatisfy({ $0.isASCII && $0.isNumber }) else { return nil }
        return Int(digits)
    }

    /// Parses one RawData entry's XML into a `Collector` holding what was read.
    fileprivate static func parse(_ data: Data, path: String, entry: String) throws -> Collector {
        let parser = XMLParser(data: data)
        parser.shouldProcessNamespaces = false
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let collector = Collector(path: path, entry: entry)
        parser.delegate = collector
        try CheckedXMLParse.run(
            parser, collector: collector, data: data, file: path, location: "entry \(entry), ", document: "an entry",
            expected: "a well-formed Bruker RawData XML file")
        return collector
    }

    // MARK: - Collected raw text

    /// The text of one leaf element and the line it starts on.
    fileprivate struct Leaf {
        var text: String
        var line: Int
    }

    fileprivate struct AxisInfo {
        var line: Int
        var axisId: String?
        var axisName: String?
        var unit: String?
        var unitBase: String?
        var reference: Leaf?
        var start: Leaf?
        var stop: Leaf?
        var increment: Leaf?
        var id: String { axisId ?? axisName ?? "(no AxisId)" }
    }

    fileprivate struct View {
        var line: Int
        var kind: String
        var start: String?
        var length: String?
        var logicName: String?
        var fields: [String] = []
        var category: String?
        var unitBase: String?
    }

    fileprivate struct Route {
        var line: Int
        var flag: String?
        var points: Leaf?
        var timePerStep: Leaf?
        var timePerStepEffective: Leaf?
        var axes: [AxisInfo] = []
        var rows: [Leaf] = []
        var dataViewsLine: Int?
        var views: [View] = []
    }

    /// Where the counts and the counting time are in each `<Datum>` row, and how many values a row has.
    fileprivate struct Columns {
        var width: Int
        var counts: Int
        var time: Int?
        /// Where the layout comes from, for messages.
        var described: String
    }

    /// A wavelength element: its `Value` (or text), `Unit`, line and the serial of its parent.
    fileprivate struct Wave {
        var name: String
        var value: String
        var unit: String?
        var line: Int
        var parent: Int
    }

    /// The `XMLParser` delegate: keeps the open-element stack and the text of the elements read.
    fileprivate final class Collector: NSObject, XMLParserDelegate, XMLCollecting {
        let path: String
        let entry: String
        var stack: [String] = []
        var serials: [Int] = []
        var nextSerial = 0
        var rootSeen = false
        var rootLine = 1
        var error: InputError?
        var xmlError: (line: Int, column: Int, open: [String], code: Int?)?
        var routes: [Route] = []
        var waves: [Wave] = []
        var capture: (name: String, line: Int)?
        var pendingWave: Wave?
        var text = ""

        init(path: String, entry: String) {
            self.path = path
            self.entry = entry
        }

        private static let scanLeaves: Set<String> = ["MeasurementPoints", "TimePerStep", "TimePerStepEffective"]
        private static let axisLeaves: Set<String> = ["Reference", "Start", "Stop", "Increment"]
        private static let waveNames: Set<String> = ["WaveLengthAlpha1", "WaveLengthAlpha2", "WaveLengthRatio", "WaveLength"]

        /// The local part of a qualified name (`xsi:type` → `type`).
        static func local(_ name: String) -> String {
            guard let colon = name.lastIndex(of: ":") else { return name }
            return String(name[name.index(after: colon)...])
        }

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { recordParseError(parser, parseError) }

        /// The element `k` levels above the one just opened (1: its parent).
        func ancestor(_ k: Int) -> String? { stack.count > k ? stack[stack.count - 1 - k] : nil }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            guard error == nil else { return }
            let line = parser.lineNumber
            let name = Self.local(elementName)
            if stack.isEmpty {
                rootSeen = true
                rootLine = line
                guard name == "RawData" else {
                    fail(
                        parser,
                        InputError(
                            file: path, location: "entry \(entry), line \(line), element <\(elementName)>",
                            expected: "a Bruker RawData file (root element <RawData>)", found: "root element <\(elementName)>"))
                    return
                }
            }
            let parent = stack.last
            stack.append(name)
            nextSerial += 1
            serials.append(nextSerial)
            let inRoute = !routes.isEmpty && stack.count >= 3 && stack[1] == "DataRoutes" && stack[2] == "DataRoute"
            switch (parent, name) {
            case ("DataRoutes", "DataRoute") where stack.count == 3:
                routes.append(Route(line: line, flag: attributeDict["RouteFlag"]))
            case ("ScanInformation", _) where inRoute && stack.count == 5 && Self.scanLeaves.contains(name):
                begin(name, line)
            case ("ScanAxes", "ScanAxisInfo") where inRoute && stack.count == 6 && stack[3] == "ScanInformation":
                routes[routes.count - 1].axes.append(
                    AxisInfo(line: line, axisId: attributeDict["AxisId"], axisName: attributeDict["AxisName"], unit: attributeDict["Unit"]))
            case ("ScanAxisInfo", "Unit") where inRoute && stack.count == 7:
                let r = routes.count - 1
                if !routes[r].axes.isEmpty { routes[r].axes[routes[r].axes.count - 1].unitBase = attributeDict["Base"] }
            case ("ScanAxisInfo", _) where inRoute && stack.count == 7 && Self.axisLeaves.contains(name):
                begin(name, line)
            case ("DataRoute", "Datum") where inRoute && stack.count == 4:
                begin(name, line)
            case ("DataRoute", "DataViews") where inRoute && stack.count == 4:
                routes[routes.count - 1].dataViewsLine = line
            case ("DataViews", "RawDataView") where inRoute && stack.count == 5:
                let kind = attributeDict.first { Self.local($0.key) == "type" }.map { Self.local($0.value) } ?? ""
                routes[routes.count - 1].views.append(
                    View(
                        line: line, kind: kind, start: attributeDict["Start"], length: attributeDict["Length"],
                        logicName: attributeDict["LogicName"]))
            case ("Varying", "FieldDefinitions") where inRoute && stack.count == 7 && stack[4] == "RawDataView":
                updateView { $0.fields.append(attributeDict["AxisId"] ?? attributeDict["FieldName"] ?? "") }
            case ("RawDataView", "Recording") where inRoute && stack.count == 6:
                updateView { $0.category = attributeDict["Category"] }
            case ("Recording", "Unit") where inRoute && stack.count == 7 && stack[4] == "RawDataView":
                updateView { $0.unitBase = attributeDict["Base"] }
            case (_, _) where Self.waveNames.contains(name) && stack.count >= 2 && stack[1] == "FixedInformation":
                let parentSerial = serials.count >= 2 ? serials[serials.count - 2] : 0
                pendingWave = Wave(
                    name: name, value: attributeDict["Value"] ?? "", unit: attributeDict["Unit"], line: line, parent: parentSerial)
                if attributeDict["Value"] == nil { begin(name, line) }
            default:
                break
            }
        }

        func updateView(_ change: (inout View) -> Void) {
            let r = routes.count - 1
            guard r >= 0, !routes[r].views.isEmpty else { return }
            change(&routes[r].views[routes[r].views.count - 1])
        }

        func begin(_ name: String, _ line: Int) {
            capture = (name, line)
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if capture != nil { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard error == nil, !stack.isEmpty else { return }
            let name = stack.removeLast()
            serials.removeLast()
            if var wave = pendingWave, wave.name == name {
                if let c = capture, c.name == name { wave.value = text }
                waves.append(wave)
                pendingWave = nil
                capture = nil
                text = ""
                return
            }
            guard let c = capture, c.name == name else { return }
            let leaf = Leaf(text: text, line: c.line)
            capture = nil
            text = ""
            let r = routes.count - 1
            guard r >= 0 else { return }
            switch (stack.last, name) {
            case ("ScanInformation", "MeasurementPoints"): routes[r].points = leaf
            case ("ScanInformation", "TimePerStep"): routes[r].timePerStep = leaf
            case ("ScanInformation", "TimePerStepEffective"): routes[r].timePerStepEffective = leaf
            case ("DataRoute", "Datum"): routes[r].rows.append(leaf)
            case ("ScanAxisInfo", _):
                let a = routes[r].axes.count - 1
                guard a >= 0 else { return }
                switch name {
                case "Reference": routes[r].axes[a].reference = leaf
                case "Start": routes[r].axes[a].start = leaf
                case "Stop": routes[r].axes[a].stop = leaf
                default: routes[r].axes[a].increment = leaf
                }
            default:
                break
            }
        }

        // MARK: Building the scan

        func place(_ line: Int, _ element: String) -> String { "entry \(entry), line \(line), element <\(element)>" }

        func scan(index: Int?, fileName: String) throws -> MeasuredScan {
            let route = try measuredRoute()
            let tt = route.axes.filter { ($0.axisId ?? $0.axisName)?.lowercased() == "twotheta" }
            guard let axis = tt.first else {
                throw InputError(
                    file: path, location: place(route.line, "DataRoute"),
                    expected: "a <ScanAxisInfo AxisId=\"TwoTheta\"> in <ScanInformation><ScanAxes> (a 2θ scan)",
                    found: route.axes.isEmpty
                        ? "no <ScanAxisInfo>" : "scan axes \(route.axes.map(\.id).joined(separator: ", ")) only")
            }
            let axisPlace = place(axis.line, "ScanAxisInfo AxisId=\"\(axis.id)\"")
            let unitOK =
                (axis.unitBase.map { $0.lowercased() == "degree" } ?? true)
                && (axis.unit.map { ["°", "deg", "degree", ""].contains($0.lowercased()) } ?? true)
            guard unitOK else {
                throw InputError(
                    file: path, location: axisPlace, expected: "2θ in degrees (<Unit Base=\"Degree\">, Unit=\"°\")",
                    found: "unit \(axis.unitBase.map { "Base=\"\($0)\"" } ?? "Unit=\"\(axis.unit ?? "")\"")")
            }
            guard let startLeaf = axis.start, let incrementLeaf = axis.increment else {
                throw InputError(
                    file: path, location: axisPlace, expected: "<Start> and <Increment> of the 2θ axis",
                    found: axis.start == nil ? "no <Start>" : "no <Increment>")
            }
            let start = try number(startLeaf, "Start")
            let increment = try number(incrementLeaf, "Increment")
            let reference = try axis.reference.map { try number($0, "Reference") } ?? 0
            let stop = try axis.stop.map { try number($0, "Stop") }
            guard increment != 0 else {
                throw InputError(
                    file: path, location: place(incrementLeaf.line, "Increment"),
                    expected: "a non-zero 2θ <Increment> (a scan that steps 2θ)", found: "0")
            }

            // The axis's point count.
            let count: Int
            let countSource: String
            if let leaf = route.points {
                let v = try number(leaf, "MeasurementPoints")
                guard v >= 1, v == v.rounded(), v < 1e9 else {
                    throw InputError(
                        file: path, location: place(leaf.line, "MeasurementPoints"), expected: "a positive whole number of points",
                        found: "\(leaf.text.trimmingCharacters(in: .whitespacesAndNewlines))")
                }
                count = Int(v)
                countSource = "<MeasurementPoints> \(count), line \(leaf.line)"
                if let stop, let stopLeaf = axis.stop {
                    let last = start + Double(count - 1) * increment
                    guard abs(last - stop) <= abs(increment) / 2 else {
                        throw InputError(
                            file: path, location: place(stopLeaf.line, "Stop"),
                            expected:
                                "<Stop> within half an <Increment> of <Start> + (<MeasurementPoints> − 1)·<Increment> = \(last)",
                            found: "<Stop> \(stop)")
                    }
                }
            } else if let stop, let stopLeaf = axis.stop {
                let steps = ((stop - start) / increment).rounded()
                guard steps >= 0, steps < 1e9 else {
                    throw InputError(
                        file: path, location: place(stopLeaf.line, "Stop"),
                        expected: "a <Stop> reached from <Start> \(start) in steps of <Increment> \(increment)", found: "<Stop> \(stop)")
                }
                count = Int(steps) + 1
                countSource = "from <Start>, <Stop>, <Increment> of line \(axis.line)"
            } else {
                count = route.rows.count
                countSource = ""
            }

            // Columns.
            let columns = try self.columns(route)
            guard !route.rows.isEmpty else {
                throw InputError(
                    file: path, location: place(route.line, "DataRoute"), expected: "<Datum> rows (one per point)", found: "none")
            }
            var counts: [Double] = []
            counts.reserveCapacity(route.rows.count)
            var times: [Double] = []
            for (k, row) in route.rows.enumerated() {
                let values = try rowValues(row, k, columns)
                counts.append(values[columns.counts])
                if let t = columns.time { times.append(values[t]) }
            }
            guard count >= 2 else {
                throw InputError(
                    file: path, location: place(axis.line, "ScanAxisInfo AxisId=\"\(axis.id)\""),
                    expected: "a scan of at least two points", found: "\(count) point\(count == 1 ? "" : "s")")
            }
            guard counts.count == count else {
                throw InputError(
                    file: path, location: place(route.line, "DataRoute"),
                    expected: "as many <Datum> rows as the 2θ axis has points (\(countSource))", found: "\(counts.count) <Datum> rows")
            }
            let origin = reference + start
            let x = (0..<count).map { origin + Double($0) * increment }

            var countingTime: Double? = nil
            if let first = times.first {
                if first > 0, times.allSatisfy({ $0 == first }) { countingTime = first }
            } else if let leaf = route.timePerStepEffective ?? route.timePerStep {
                let v = try number(leaf, route.timePerStepEffective != nil ? "TimePerStepEffective" : "TimePerStep")
                if v > 0 { countingTime = v }
            }

            return MeasuredScan(
                source: path, scanIndex: index, axis: .twoTheta, x: x, intensity: counts,
                wavelength: try wavelength(fileName: fileName), countingTime: countingTime)
        }

        /// The measured route: the one marked `Measured`, or the only one.
        func measuredRoute() throws -> Route {
            guard !routes.isEmpty else {
                throw InputError(
                    file: path, location: place(rootLine, "RawData"),
                    expected: "a Bruker RawData file with the measured data in <DataRoutes><DataRoute>", found: "no <DataRoute>")
            }
            let measured = routes.filter { $0.flag == "Measured" }
            if measured.count == 1 { return measured[0] }
            if routes.count == 1 { return routes[0] }
            let flags = routes.map { $0.flag ?? "(none)" }.joined(separator: ", ")
            throw InputError(
                file: path, location: place(routes[0].line, "DataRoute"),
                expected: "one <DataRoute RouteFlag=\"Measured\">", found: "\(routes.count) data routes with flags \(flags)")
        }

        /// The columns of the `<Datum>` rows: from `<DataViews>`, else the layout assumed without it.
        func columns(_ route: Route) throws -> Columns {
            guard let viewsLine = route.dataViewsLine else {
                // No description: time, absorption factor, one column per scan axis, counts.
                let n = route.axes.count
                return Columns(width: 3 + n, counts: 2 + n, time: 0, described: "time, absorption factor, \(n) scan axes, counts")
            }
            var width = 0
            var time: Int? = nil
            var recorded: [(view: View, start: Int, length: Int)] = []
            for view in route.views {
                let length: Int? = view.length == nil ? 1 : Int(view.length!)
                guard let start = view.start.flatMap({ Int($0) }), start >= 0, let length, length >= 1 else {
                    throw InputError(
                        file: path, location: place(view.line, "RawDataView"),
                        expected: "a column Start ≥ 0 and a Length ≥ 1",
                        found: "Start=\"\(view.start ?? "")\" Length=\"\(view.length ?? "")\"")
                }
                width = max(width, start + length)
                switch view.kind {
                case "FixedRawDataView" where view.logicName == "MeasuredTime": time = start
                case "RecordedRawDataView": recorded.append((view, start, length))
                default: break
                }
            }
            let counter =
                recorded.first {
                    $0.view.category == "Count" || ["counts", "cps"].contains($0.view.unitBase?.lowercased() ?? "")
                } ?? recorded.first
            guard let counter else {
                throw InputError(
                    file: path, location: place(viewsLine, "DataViews"),
                    expected: "a <RawDataView xsi:type=\"RecordedRawDataView\"> (the counts column)",
                    found: route.views.isEmpty ? "no <RawDataView>" : "views \(route.views.map(\.kind).joined(separator: ", ")) only")
            }
            guard counter.length == 1 else {
                throw InputError(
                    file: path, location: place(counter.view.line, "RawDataView"),
                    expected: "a recorded view one value wide (counts integrated over the detector per point)",
                    found: "Length=\"\(counter.length)\" (a detector frame per point)")
            }
            return Columns(width: width, counts: counter.start, time: time, described: "the columns <DataViews> describes")
        }

        /// The numbers of one `<Datum>` row (`k` 0-based), exactly `columns.width` of them.
        func rowValues(_ row: Leaf, _ k: Int, _ columns: Columns) throws -> [Double] {
            var values: [Double] = []
            values.reserveCapacity(columns.width)
            var bad: (position: Int, text: String, nonFinite: Bool)? = nil
            var utf8 = Array(row.text.utf8)
            utf8.append(0)
            utf8.withUnsafeBufferPointer { b in
                let n = b.count - 1
                func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
                var p = 0
                while true {
                    var q = p
                    while q < n && b[q] != 0x2C { q += 1 }
                    var s = p
                    var e = q
                    while s < e && isSpace(b[s]) { s += 1 }
                    while e > s && isSpace(b[e - 1]) { e -= 1 }
                    if bad == nil {
                        if let v = TextScanReader.parseNumber(b, s, e), v.isFinite {
                            values.append(v)
                        } else {
                            let item = String(decoding: UnsafeBufferPointer(rebasing: b[s..<e]), as: UTF8.self)
                            bad = (values.count + 1, item, TextScanReader.parseNumber(b, s, e) != nil)
                            values.append(.nan)
                        }
                    } else {
                        values.append(.nan)
                    }
                    if q >= n { return }
                    p = q + 1
                }
            }
            let location = "entry \(entry), line \(row.line), element <Datum> (row \(k + 1))"
            let shown = TextScanReader.clip(row.text.trimmingCharacters(in: .whitespacesAndNewlines))
            guard values.count == columns.width else {
                throw InputError(
                    file: path, location: location, expected: "\(columns.width) comma-separated values (\(columns.described))",
                    found: "\(values.count) value\(values.count == 1 ? "" : "s"): \"\(shown)\"")
            }
            if let bad {
                throw InputError(
                    file: path, location: location, expected: bad.nonFinite ? "finite numbers" : "comma-separated numbers",
                    found: "\(bad.nonFinite ? "non-finite" : "non-numeric") value \(bad.position): \"\(TextScanReader.clip(bad.text))\"")
            }
            return values
        }

        /// The wavelength the entry states, or nil.
        func wavelength(fileName: String) throws -> ScanWavelength? {
            let origin = "file \(fileName): \(entry) "
            if let a1 = waves.first(where: { $0.name == "WaveLengthAlpha1" }) {
                let alpha1 = try angstrom(a1, allowZero: false)!
                var used = ["WaveLengthAlpha1"]
                var alpha2: Double? = nil
                if let a2 = waves.first(where: { $0.name == "WaveLengthAlpha2" && $0.parent == a1.parent }) {
                    alpha2 = try angstrom(a2, allowZero: true)
                    if alpha2 != nil { used.append("WaveLengthAlpha2") }
                }
                var ratio: Double? = nil
                if let r = waves.first(where: { $0.name == "WaveLengthRatio" && $0.parent == a1.parent }) {
                    let v = try number(Leaf(text: r.value, line: r.line), "WaveLengthRatio")
                    guard v >= 0 else {
                        throw InputError(
                            file: path, location: place(r.line, "WaveLengthRatio"), expected: "a ratio I(Kα2)/I(Kα1) ≥ 0", found: "\(v)")
                    }
                    ratio = v
                    used.append("WaveLengthRatio")
                }
                return ScanWavelength(alpha1: alpha1, alpha2: alpha2, ratio: ratio, origin: origin + used.joined(separator: ", "))
            }
            if let w = waves.first(where: { $0.name == "WaveLength" }) {
                return ScanWavelength(alpha1: try angstrom(w, allowZero: false)!, origin: origin + "WaveLength")
            }
            return nil
        }

        /// A wavelength in Å (nil for a zero that `allowZero` lets stand for "none").
        func angstrom(_ w: Wave, allowZero: Bool) throws -> Double? {
            let v = try number(Leaf(text: w.value, line: w.line), w.name)
            let unitOK = w.unit.map { ["", "Å", "\u{212B}", "A", "Angstrom", "angstrom"].contains($0) } ?? true
            if allowZero && v == 0 && unitOK { return nil }
            guard unitOK, v > 0 else {
                throw InputError(
                    file: path, location: place(w.line, w.name), expected: "a positive wavelength in Å",
                    found: unitOK ? "\(v)" : "Unit=\"\(w.unit!)\"")
            }
            return v
        }

        /// The one finite number that is the whole (trimmed) text of `leaf`.
        func number(_ leaf: Leaf, _ name: String) throws -> Double {
            let trimmed = leaf.text.trimmingCharacters(in: .whitespacesAndNewlines)
            var utf8 = Array(trimmed.utf8)
            utf8.append(0)
            let v = utf8.withUnsafeBufferPointer { TextScanReader.parseNumber($0, 0, $0.count - 1) }
            guard let v, v.isFinite else {
                throw InputError(
                    file: path, location: place(leaf.line, name), expected: "a finite number",
                    found: trimmed.isEmpty ? "nothing" : "\"\(TextScanReader.clip(trimmed))\"")
            }
            return v
        }
    }
}
