#if canImport(FoundationXML)
    import FoundationXML
#endif
import DRNetEngine
import Foundation

/// Reads PANalytical `.xrdml` files (XRDML schema 1.x and 2.x) into one `MeasuredScan` per `<scan>`,
/// without unit conversion or resampling, using Foundation's `XMLParser`.
///
/// **Structure read.** The root is `<xrdMeasurements>` (or a lone `<xrdMeasurement>`), in the
/// namespace `http://www.xrdml.com/XRDMeasurement/<major>.<minor>` with major version 1 or 2 (or
/// in no namespace); elements are matched by local name. Every `<scan>` of every
/// `<xrdMeasurement>` becomes one scan, in file order; `scanIndex` is its 0-based position when
/// the file holds more than one scan, nil otherwise. In each scan's single `<dataPoints>`:
/// - x: the `<positions axis="2Theta" unit="deg">` element, as `<startPosition>`/`<endPosition>`
///   (N equally spaced points, xᵢ = start + i·(end − start)/(N − 1)) or as `<listPositions>`;
///   other axes' positions (`Omega`, `Chi`, …) are ignored;
/// - intensity: `<counts>` (raw counts), else `<intensities>` (as given, often counts/s),
///   whitespace-separated; when `<beamAttenuationFactors>` lists factors, each value is
///   multiplied by its factor (as HighScore does);
/// - `countingTime`: `<commonCountingTime>` in seconds (nil when the file gives per-point
///   `<countingTimes>` instead);
/// - wavelength: `<usedWavelength>` of the scan, else of its `<xrdMeasurement>`: `<kAlpha1>`
///   (required there), `<kAlpha2>`, `<ratioKAlpha2KAlpha1>`, in Å, with `origin`
///   `file <name>: usedWavelength`; nil when the file has no `<usedWavelength>`.
/// A UTF-8 byte-order mark before `<?xml` is accepted. The axis is always `.twoTheta`.
///
/// **Errors** (`InputError`, naming the file, the element and its line, what was expected and
/// what was found): a missing, empty, not well-formed or truncated file (the line and the open
/// elements); a root element other than `xrdMeasurements`/`xrdMeasurement`, or a foreign
/// namespace or unsupported schema major version; no `<scan>`; a scan without exactly one
/// `<dataPoints>`; no (or several) `<positions axis="2Theta">`, or one with a unit other than
/// `deg`, or with neither start/end nor list positions; neither `<counts>` nor `<intensities>`;
/// a non-numeric or non-finite item in any number element (which item); fewer than two points;
/// a count of list positions, attenuation factors or per-point counting times that differs from
/// the number of counts; a counting time that is not a positive number of seconds; a
/// `<usedWavelength>` without `<kAlpha1>`, a wavelength unit other than Angstrom, a
/// non-positive wavelength, or a negative Kα2/Kα1 ratio. Whether 2θ increases is not checked here.
public enum XRDMLReader {
    /// Reads every scan of the XRDML file at `path`.
    public static func read(path: String) throws -> [MeasuredScan] {
        let bytes = try InputFile.readBinary(path: path)
        var start = 0
        if bytes.count >= 3 && bytes[0] == 0xEF && bytes[1] == 0xBB && bytes[2] == 0xBF { start = 3 }
        guard bytes[start...].contains(where: { !($0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D) }) else {
            throw InputError(file: path, expected: "an XRDML (XML) file", found: "an empty file")
        }
        let parser = XMLParser(data: Data(bytes))
        parser.shouldProcessNamespaces = true
        parser.shouldReportNamespacePrefixes = false
        parser.shouldResolveExternalEntities = false
        let collector = Collector(path: path)
        parser.delegate = collector
        try CheckedXMLParse.run(
            parser, collector: collector, data: bytes, file: path, document: "a file", expected: "a well-formed XRDML (XML) file")
        return try collector.scans()
    }

    // MARK: - Collected raw text

    /// The text of one leaf element, with the line it starts on and its `unit` attribute.
    fileprivate struct Leaf {
        var text: String
        var line: Int
        var unit: String?
    }

    fileprivate struct Wavelength {
        var line: Int
        var kAlpha1: Leaf?
        var kAlpha2: Leaf?
        var ratio: Leaf?
    }

    fileprivate struct Positions {
        var axis: String?
        var unit: String?
        var line: Int
        var start: Leaf?
        var end: Leaf?
        var list: Leaf?
        var common: Leaf?
    }

    fileprivate struct RawScan {
        var line: Int
        var measurement: Int
        var dataPoints: [Int] = []
        var positions: [Positions] = []
        var counts: Leaf?
        var intensities: Leaf?
        var countingTime: Leaf?
        var countingTimes: Leaf?
        var attenuation: Leaf?
        var wavelength: Wavelength?
    }

    /// The `XMLParser` delegate: keeps the open-element stack and the text of the elements read.
    fileprivate final class Collector: NSObject, XMLParserDelegate, XMLCollecting {
        let path: String
        var stack: [String] = []
        var rootSeen = false
        var error: InputError?
        var measurementWavelengths: [Wavelength?] = []
        var measurementLines: [Int] = []
        var raw: [RawScan] = []
        var wavelength: Wavelength?
        var inScan = false
        var capture: (name: String, line: Int, unit: String?)?
        var text = ""

        init(path: String) { self.path = path }

        private static let scanLeaves: Set<String> = [
            "counts", "intensities", "commonCountingTime", "countingTimes", "beamAttenuationFactors"
        ]
        private static let positionLeaves: Set<String> = ["startPosition", "endPosition", "listPositions", "commonPosition"]
        private static let wavelengthLeaves: Set<String> = ["kAlpha1", "kAlpha2", "ratioKAlpha2KAlpha1"]

        var xmlError: (line: Int, column: Int, open: [String], code: Int?)?

        func parser(_ parser: XMLParser, parseErrorOccurred parseError: Error) { recordParseError(parser, parseError) }

        func parser(
            _ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName qName: String?,
            attributes attributeDict: [String: String] = [:]
        ) {
            guard error == nil else { return }
            let line = parser.lineNumber
            if stack.isEmpty {
                rootSeen = true
                guard elementName == "xrdMeasurements" || elementName == "xrdMeasurement" else {
                    fail(
                        parser,
                        InputError(
                            file: path, location: "line \(line), element <\(qName ?? elementName)>",
                            expected: "an XRDML file (root element <xrdMeasurements>)",
                            found: "root element <\(qName ?? elementName)>"))
                    return
                }
                if let ns = namespaceURI, !ns.isEmpty {
                    let prefix = "http://www.xrdml.com/XRDMeasurement/"
                    guard ns.hasPrefix(prefix) else {
                        fail(
                            parser,
                            InputError(
                                file: path, location: "line \(line), element <\(elementName)>",
                                expected: "the XRDML namespace \(prefix)<version>", found: "namespace \(ns)"))
                        return
                    }
                    let major = ns.dropFirst(prefix.count).prefix { $0 != "." }
                    guard major == "1" || major == "2" else {
                        fail(
                            parser,
                            InputError(
                                file: path, location: "line \(line), element <\(elementName)>",
                                expected: "XRDML schema version 1.x or 2.x", found: "namespace \(ns)"))
                        return
                    }
                }
            }
            let parent = stack.last
            stack.append(elementName)
            switch (parent, elementName) {
            case (_, "xrdMeasurement") where parent == nil || parent == "xrdMeasurements":
                measurementWavelengths.append(nil)
                measurementLines.append(line)
            case ("xrdMeasurement", "scan"):
                raw.append(RawScan(line: line, measurement: measurementWavelengths.count - 1))
                inScan = true
            case ("xrdMeasurement", "usedWavelength"), ("scan", "usedWavelength"):
                wavelength = Wavelength(line: line)
            case ("usedWavelength", _) where Self.wavelengthLeaves.contains(elementName) && wavelength != nil:
                begin(elementName, line, attributeDict)
            case ("scan", "dataPoints") where inScan && ancestor(2) == "xrdMeasurement":
                raw[raw.count - 1].dataPoints.append(line)
            case ("dataPoints", "positions") where inScan && ancestor(2) == "scan":
                raw[raw.count - 1].positions.append(
                    Positions(axis: attributeDict["axis"], unit: attributeDict["unit"], line: line))
            case ("positions", _) where inScan && ancestor(2) == "dataPoints" && Self.positionLeaves.contains(elementName):
                begin(elementName, line, attributeDict)
            case ("dataPoints", _) where inScan && ancestor(2) == "scan" && Self.scanLeaves.contains(elementName):
                begin(elementName, line, attributeDict)
            default:
                break
            }
        }

        /// The element `k` levels above the one just opened (1: its parent).
        func ancestor(_ k: Int) -> String? { stack.count > k ? stack[stack.count - 1 - k] : nil }

        func begin(_ name: String, _ line: Int, _ attributes: [String: String]) {
            capture = (name, line, attributes["unit"])
            text = ""
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            if capture != nil { text += string }
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?, qualifiedName qName: String?) {
            guard error == nil else { return }
            stack.removeLast()
            if let c = capture, c.name == elementName {
                let leaf = Leaf(text: text, line: c.line, unit: c.unit)
                capture = nil
                text = ""
                store(leaf, elementName, parent: stack.last)
                return
            }
            switch (stack.last, elementName) {
            case ("xrdMeasurement", "scan"):
                inScan = false
            case ("xrdMeasurement", "usedWavelength"):
                if !measurementWavelengths.isEmpty { measurementWavelengths[measurementWavelengths.count - 1] = wavelength }
                wavelength = nil
            case ("scan", "usedWavelength") where inScan:
                raw[raw.count - 1].wavelength = wavelength
                wavelength = nil
            default:
                break
            }
        }

        func store(_ leaf: Leaf, _ name: String, parent: String?) {
            switch (parent, name) {
            case ("usedWavelength", "kAlpha1"): wavelength?.kAlpha1 = leaf
            case ("usedWavelength", "kAlpha2"): wavelength?.kAlpha2 = leaf
            case ("usedWavelength", "ratioKAlpha2KAlpha1"): wavelength?.ratio = leaf
            case ("positions", _):
                let i = raw.count - 1
                let j = raw[i].positions.count - 1
                switch name {
                case "startPosition": raw[i].positions[j].start = leaf
                case "endPosition": raw[i].positions[j].end = leaf
                case "listPositions": raw[i].positions[j].list = leaf
                default: raw[i].positions[j].common = leaf
                }
            case ("dataPoints", _):
                let i = raw.count - 1
                switch name {
                case "counts": raw[i].counts = leaf
                case "intensities": raw[i].intensities = leaf
                case "commonCountingTime": raw[i].countingTime = leaf
                case "countingTimes": raw[i].countingTimes = leaf
                default: raw[i].attenuation = leaf
                }
            default:
                break
            }
        }

        // MARK: Building the scans

        func scans() throws -> [MeasuredScan] {
            guard !raw.isEmpty else {
                let location = measurementLines.first.map { "line \($0), element <xrdMeasurement>" } ?? "element <xrdMeasurements>"
                throw InputError(
                    file: path, location: location, expected: "at least one <scan> inside <xrdMeasurement>",
                    found: measurementLines.isEmpty ? "no <xrdMeasurement> element" : "no <scan> element")
            }
            let name = URL(fileURLWithPath: path).lastPathComponent
            var out: [MeasuredScan] = []
            out.reserveCapacity(raw.count)
            for (index, scan) in raw.enumerated() {
                let label = raw.count == 1 ? "" : " (scan \(index))"
                out.append(try build(scan, index: raw.count == 1 ? nil : index, label: label, fileName: name))
            }
            return out
        }

        func build(_ scan: RawScan, index: Int?, label: String, fileName: String) throws -> MeasuredScan {
            guard scan.dataPoints.count == 1 else {
                throw InputError(
                    file: path, location: "line \(scan.line), element <scan>\(label)", expected: "one <dataPoints> element",
                    found: "\(scan.dataPoints.count)")
            }
            let dataLine = scan.dataPoints[0]
            let twoTheta = scan.positions.filter { $0.axis == "2Theta" }
            guard twoTheta.count == 1, let pos = twoTheta.first else {
                let axes = scan.positions.map { $0.axis ?? "(no axis attribute)" }
                throw InputError(
                    file: path, location: "line \(dataLine), element <dataPoints>\(label)",
                    expected: "one <positions axis=\"2Theta\"> element",
                    found: twoTheta.isEmpty
                        ? (axes.isEmpty ? "no <positions>" : "positions for \(axes.joined(separator: ", ")) only")
                        : "\(twoTheta.count) of them")
            }
            let posElement = "element <positions axis=\"2Theta\">\(label)"
            guard pos.unit == "deg" else {
                throw InputError(
                    file: path, location: "line \(pos.line), \(posElement)", expected: "unit=\"deg\"",
                    found: pos.unit.map { "unit=\"\($0)\"" } ?? "no unit attribute")
            }
            guard let values = scan.counts ?? scan.intensities else {
                throw InputError(
                    file: path, location: "line \(dataLine), element <dataPoints>\(label)",
                    expected: "a <counts> or <intensities> element", found: "neither")
            }
            let valuesName = scan.counts != nil ? "counts" : "intensities"
            var intensity = try numbers(values, valuesName, label)
            let n = intensity.count
            guard n >= 2 else {
                throw InputError(
                    file: path, location: "line \(values.line), element <\(valuesName)>\(label)",
                    expected: "a scan of at least two points", found: "\(n) value\(n == 1 ? "" : "s")")
            }

            var x: [Double]
            if let list = pos.list {
                x = try numbers(list, "listPositions", label)
                guard x.count == n else {
                    throw InputError(
                        file: path, location: "line \(values.line), element <\(valuesName)>\(label)",
                        expected: "as many \(valuesName) as 2Theta positions (\(x.count) in <listPositions>, line \(list.line))",
                        found: "\(n) \(valuesName)")
                }
            } else if let startLeaf = pos.start, let endLeaf = pos.end {
                let start = try single(startLeaf, "startPosition", label)
                let end = try single(endLeaf, "endPosition", label)
                let step = (end - start) / Double(n - 1)
                x = [Double](unsafeUninitializedCapacity: n) { buf, count in
                    for i in 0..<n { buf[i] = start + Double(i) * step }
                    buf[n - 1] = end
                    count = n
                }
            } else {
                let found: String
                if pos.start != nil || pos.end != nil {
                    found = pos.start == nil ? "<endPosition> without <startPosition>" : "<startPosition> without <endPosition>"
                } else {
                    found = pos.common != nil ? "only <commonPosition> (2θ not scanned)" : "no positions"
                }
                throw InputError(
                    file: path, location: "line \(pos.line), \(posElement)",
                    expected: "<startPosition> and <endPosition>, or <listPositions>", found: found)
            }

            if let att = scan.attenuation {
                let factors = try numbers(att, "beamAttenuationFactors", label)
                guard factors.count == n else {
                    throw InputError(
                        file: path, location: "line \(att.line), element <beamAttenuationFactors>\(label)",
                        expected: "one factor per point (\(n) \(valuesName))", found: "\(factors.count) factors")
                }
                for i in 0..<n { intensity[i] *= factors[i] }
            }

            var countingTime: Double? = nil
            if let ct = scan.countingTime {
                let v = try single(ct, "commonCountingTime", label)
                guard ct.unit == nil || ct.unit == "seconds" || ct.unit == "s", v > 0 else {
                    throw InputError(
                        file: path, location: "line \(ct.line), element <commonCountingTime>\(label)",
                        expected: "a positive counting time in seconds",
                        found: "\(ct.text.trimmingCharacters(in: .whitespacesAndNewlines)) \(ct.unit ?? "")")
                }
                countingTime = v
            } else if let cts = scan.countingTimes {
                let times = try numbers(cts, "countingTimes", label)
                guard times.count == n else {
                    throw InputError(
                        file: path, location: "line \(cts.line), element <countingTimes>\(label)",
                        expected: "one counting time per point (\(n) \(valuesName))", found: "\(times.count) counting times")
                }
            }

            var wavelength: ScanWavelength? = nil
            let wl = scan.wavelength ?? (scan.measurement >= 0 ? measurementWavelengths[scan.measurement] : nil)
            if let wl {
                guard let a1 = wl.kAlpha1 else {
                    throw InputError(
                        file: path, location: "line \(wl.line), element <usedWavelength>\(label)",
                        expected: "a <kAlpha1> element", found: "none")
                }
                let alpha1 = try angstrom(a1, "kAlpha1", label)
                let alpha2 = try wl.kAlpha2.map { try angstrom($0, "kAlpha2", label) }
                let ratio = try wl.ratio.map { leaf -> Double in
                    let r = try single(leaf, "ratioKAlpha2KAlpha1", label)
                    guard r >= 0 else {
                        throw InputError(
                            file: path, location: "line \(leaf.line), element <ratioKAlpha2KAlpha1>\(label)",
                            expected: "a ratio I(Kα2)/I(Kα1) ≥ 0", found: "\(r)")
                    }
                    return r
                }
                wavelength = ScanWavelength(alpha1: alpha1, alpha2: alpha2, ratio: ratio, origin: "file \(fileName): usedWavelength")
            }

            return MeasuredScan(
                source: path, scanIndex: index, axis: .twoTheta, x: x, intensity: intensity, wavelength: wavelength,
                countingTime: countingTime)
        }

        func angstrom(_ leaf: Leaf, _ name: String, _ label: String) throws -> Double {
            let v = try single(leaf, name, label)
            let unitOK = leaf.unit == nil || ["Angstrom", "angstrom", "A", "Å"].contains(leaf.unit!)
            guard unitOK, v > 0 else {
                throw InputError(
                    file: path, location: "line \(leaf.line), element <\(name)>\(label)",
                    expected: "a positive wavelength in Angstrom",
                    found: unitOK ? "\(v)" : "unit=\"\(leaf.unit!)\"")
            }
            return v
        }

        func single(_ leaf: Leaf, _ name: String, _ label: String) throws -> Double {
            let v = try numbers(leaf, name, label)
            guard v.count == 1 else {
                throw InputError(
                    file: path, location: "line \(leaf.line), element <\(name)>\(label)", expected: "one number",
                    found: "\(v.count) numbers")
            }
            return v[0]
        }

        /// The whitespace-separated finite numbers of `leaf`.
        func numbers(_ leaf: Leaf, _ name: String, _ label: String) throws -> [Double] {
            var out: [Double] = []
            out.reserveCapacity(leaf.text.utf8.count / 4 + 1)
            var bad: (position: Int, text: String, nonFinite: Bool)? = nil
            var utf8 = Array(leaf.text.utf8)
            utf8.append(0)
            utf8.withUnsafeBufferPointer { b in
                let n = b.count - 1
                var p = 0
                var position = 0
                func isSpace(_ c: UInt8) -> Bool { c == 0x20 || c == 0x09 || c == 0x0A || c == 0x0D }
                while true {
                    while p < n && isSpace(b[p]) { p += 1 }
                    if p >= n { return }
                    position += 1
                    var q = p
                    while q < n && !isSpace(b[q]) { q += 1 }
                    guard let v = TextScanReader.parseNumber(b, p, q), v.isFinite else {
                        let item = String(decoding: UnsafeBufferPointer(rebasing: b[p..<q]), as: UTF8.self)
                        bad = (position, item, TextScanReader.parseNumber(b, p, q) != nil)
                        return
                    }
                    out.append(v)
                    p = q
                }
            }
            if let bad {
                throw InputError(
                    file: path, location: "line \(leaf.line), element <\(name)>\(label)",
                    expected: bad.nonFinite ? "finite numbers" : "whitespace-separated numbers",
                    found: "\(bad.nonFinite ? "non-finite" : "non-numeric") item \(bad.position): \"\(TextScanReader.clip(bad.text))\"")
            }
            return out
        }
    }
}
