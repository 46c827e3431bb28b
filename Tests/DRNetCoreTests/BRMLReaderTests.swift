import DRNetEngine
import Foundation
import XCTest
import ZIPFoundation
@testable import DRNetIO

/// `BRMLReader` on Bruker `.brml` archives written here with ZIPFoundation: a `RawData0.xml`
/// laid out as DIFFRAC.SUITE writes it (a coupled 2θ/θ scan with `<DataViews>`, the tube's
/// wavelengths in `<FixedInformation>`), multi-scan archives, the layout variants, and every error.
final class BRMLReaderTests: IOFolderTestCase {

    // MARK: - Fixtures

    /// One RawData document. `rows` are the `<Datum>` texts; the other fields are the element
    /// texts (nil leaves the element out).
    private struct RawData {
        var axisId = "TwoTheta"
        var axisUnit = "°"
        var axisBase = "Degree"
        var reference: String? = "0"
        var start: String? = "10"
        var stop: String? = "11.25"
        var increment: String? = "0.25"
        var points: String? = "6"
        var timePerStep: String? = "0.5"
        var timePerStepEffective: String? = "96"
        var rows = [
            "96,1,10,5,1080", "96,1,10.25,5.125,1024", "96,1,10.5,5.25,1009", "96,1,10.75,5.375,997",
            "96,1,11,5.5,969", "96,1,11.25,5.625,1044"
        ]
        /// The `<DataViews>` element (nil: none).
        var dataViews: String? = BRMLReaderTests.coupledViews
        /// What `<FixedInformation>` holds besides the drives.
        var instrument = BRMLReaderTests.tube(alpha1: "1.5406", alpha2: "1.54439", ratio: "0.5")
        var routeFlag = "Measured"
        /// Routes written before the one above.
        var otherRoutes = ""
        var root = "RawData"

        var xml: String {
            func leaf(_ name: String, _ value: String?) -> String { value.map { "<\(name)>\($0)</\(name)>" } ?? "" }
            let datums = rows.map { "      <Datum>\($0)</Datum>" }.joined(separator: "\n")
            return """
                <?xml version="1.0"?>
                <\(root) xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xsd="http://www.w3.org/2001/XMLSchema" PlannedTimePerStep="0">
                  <IsResumePossible>true</IsResumePossible>
                  <MeasurementStatus>Measured</MeasurementStatus>
                  <TimeStampStarted>2024-05-14T09:12:31.1234567+02:00</TimeStampStarted>
                  <TimeStampFinished>2024-05-14T09:14:02.7654321+02:00</TimeStampFinished>
                  <ExtLocations />
                  <DataRoutes>
                \(otherRoutes)    <DataRoute RouteFlag="\(routeFlag)" ProcLevel="0" ProcLevelPre="0" Description="Originally measured data.">
                      <ScanInformation IsMultiScan="false" ScanName="LockedCoupled" VisibleName="Coupled TwoTheta/Theta">
                        \(leaf("MeasurementPoints", points))
                        \(leaf("TimePerStep", timePerStep))
                        \(leaf("TimePerStepEffective", timePerStepEffective))
                        <ScanMode>PsdFastScan</ScanMode>
                        <ScanModeVisibleName>Continuous PSD fast</ScanModeVisibleName>
                        <ScanAxes>
                          <ScanAxisInfo AxisId="\(axisId)" AxisName="\(axisId)" VisibleName="2Theta" Unit="\(axisUnit)">
                            <Unit Prefix="None" Base="\(axisBase)" />
                            \(leaf("Reference", reference))
                            \(leaf("Start", start))
                            \(leaf("Stop", stop))
                            \(leaf("Increment", increment))
                          </ScanAxisInfo>
                          <ScanAxisInfo AxisId="Theta" AxisName="Theta" VisibleName="Theta" Unit="°">
                            <Unit Prefix="None" Base="Degree" />
                            <Reference>0</Reference>
                            <Start>5</Start>
                            <Stop>5.625</Stop>
                            <Increment>0.125</Increment>
                          </ScanAxisInfo>
                        </ScanAxes>
                        <FixedScanAxes />
                        <ScaleAxes />
                      </ScanInformation>
                      <SubScans>
                        <SubScanInfo Steps="6" MeasuredSteps="6" StartStepNo="0" MeasuredTimePerStep="96" PlannedTimePerStep="0.5" />
                      </SubScans>
                \(datums)
                      <PreScanExternalLinks />
                      \(dataViews ?? "")
                    </DataRoute>
                  </DataRoutes>
                  <FixedInformation>
                    <Drives>
                      <InfoData xsi:type="FixedDriveInfoData" LogicName="Phi" VisibleName="Phi" AxisId="Phi">
                        <Position Unit="°" Value="49.71875" />
                        <VirtualPosition Unit="°" Value="0" />
                      </InfoData>
                    </Drives>
                    \(instrument)
                  </FixedInformation>
                  <Identifier IdentificationType="Data" UserName="lab" MachineName="D8">
                    <Guid>0a4c3c5e-6d1f-4f5b-9a44-2f1f6c0de001</Guid>
                  </Identifier>
                </\(root)>

                """
        }
    }

    /// The views of a coupled scan: time, absorption factor, 2θ and θ, one counter.
    static let coupledViews = """
        <DataViews>
                <RawDataView xsi:type="FixedRawDataView" Start="0" Length="1" LogicName="MeasuredTime" Unit="s" />
                <RawDataView xsi:type="FixedRawDataView" Start="1" Length="1" LogicName="AbsorptionFactor" Unit="" />
                <RawDataView xsi:type="VaryingRawDataView" Start="2" Length="2">
                  <Varying xsi:type="VaryingStepData2D" LogicName="ScanAxes" VectorLength="2">
                    <FieldDefinitions FieldName="TwoTheta" AxisId="TwoTheta">
                      <VisibleName>2Theta</VisibleName>
                      <Restriction xsi:type="RestrictionOnOfDouble" Unit="°">
                        <DefaultValue xsi:type="PhysicalValueOfDouble" Unit="°" Value="0" />
                        <Minimum>-6.8554</Minimum>
                        <Maximum>221.429</Maximum>
                      </Restriction>
                    </FieldDefinitions>
                    <FieldDefinitions FieldName="Theta" AxisId="Theta">
                      <VisibleName>Theta</VisibleName>
                    </FieldDefinitions>
                    <BlankingValue>-9999</BlankingValue>
                  </Varying>
                </RawDataView>
                <RawDataView xsi:type="RecordedRawDataView" Start="4" Length="1" MeasuredDataIndex="0">
                  <Recording VisibleName="LYNXEYE (1D mode): PSD counter" LogicName="ScanCounter" Category="Count">
                    <Unit Prefix="None" Base="Counts" />
                    <Size><X>1</X><Y>1</Y></Size>
                    <BlankingValue>-9999</BlankingValue>
                  </Recording>
                  <Statistics Mean="1020.5" Maximum="1080" Minimum="969" Status="Succeeded" />
                </RawDataView>
              </DataViews>
        """

    /// `<Instrument>` with a sealed Cu tube on the primary track.
    static func tube(alpha1: String, alpha2: String?, ratio: String?, unit: String = "Å") -> String {
        """
        <Instrument xsi:type="GoniometerInfo">
              <PrimaryTracks>
                <TrackInfoData LogicName="PrimaryTrack" VisibleName="PrimaryTrack">
                  <Radius Unit="mm" Value="280" />
                  <MountedOptics>
                    <InfoData xsi:type="TubeMountInfoData" baseType="OpticInfoData" LogicName="TubeMount" BankPosition="1">
                      <Tube LogicName="TubeKFLCu2KC" VisibleName="Tube">
                        <WaveLengthAlpha1 Unit="\(unit)" Value="\(alpha1)" />
                        \(alpha2.map { "<WaveLengthAlpha2 Unit=\"\(unit)\" Value=\"\($0)\" />" } ?? "")
                        <WaveLengthAverage Unit="\(unit)" Value="1.5418" />
                        <WaveLengthBeta Unit="\(unit)" Value="1.39222" />
                        \(ratio.map { "<WaveLengthRatio Unit=\"\" Value=\"\($0)\" />" } ?? "")
                        <TubeMaterial>Cu</TubeMaterial>
                        <Generator LogicName="TubeKFLCu2KC" VisibleName="Generator">
                          <Voltage Unit="kV" Value="40" />
                          <Current Unit="mA" Value="40" />
                        </Generator>
                      </Tube>
                    </InfoData>
                  </MountedOptics>
                </TrackInfoData>
              </PrimaryTracks>
              <GoniometerType>Theta_Theta</GoniometerType>
            </Instrument>
        """
    }

    /// The other entries DIFFRAC.SUITE writes beside the raw data.
    private func containerEntries(_ raw: [String]) -> [(String, String)] {
        let refs = raw.map { "<string>\($0)</string>" }.joined()
        return [
            ("[Content_Types].xml", "<?xml version=\"1.0\"?><Types />"),
            ("experimentCollection.xml", "<?xml version=\"1.0\"?><ExperimentCollection />"),
            (
                "Experiment0/DataContainer.xml",
                "<?xml version=\"1.0\"?><DataContainer><RawDataReferenceList>\(refs)</RawDataReferenceList></DataContainer>"
            ),
            ("Experiment0/MeasurementContainer.xml", "<?xml version=\"1.0\"?><MeasurementContainer />")
        ]
    }

    /// Writes a ZIP archive `name` holding `entries` (path, UTF-8 text), deflated, and returns its path.
    @discardableResult
    private func writeZip(_ name: String, _ entries: [(String, String)], compression: CompressionMethod = .deflate) throws -> String {
        let url = folder.appendingPathComponent(name)
        try fill(url, entries, compression)
        return url.path
    }

    /// The archive is closed (and its file complete) when it goes out of scope here.
    private func fill(_ url: URL, _ entries: [(String, String)], _ compression: CompressionMethod) throws {
        let archive = try Archive(url: url, accessMode: .create)
        for (path, text) in entries {
            let data = Data(text.utf8)
            try archive.addEntry(
                with: path, type: .file, uncompressedSize: Int64(data.count), compressionMethod: compression,
                provider: { position, size in data.subdata(in: Int(position)..<Int(position) + size) })
        }
    }

    /// A `.brml` with the container entries and one `Experiment0/RawData0.xml`.
    @discardableResult
    private func writeBRML(_ name: String, _ raw: RawData) throws -> String {
        try writeZip(name, containerEntries(["Experiment0/RawData0.xml"]) + [("Experiment0/RawData0.xml", raw.xml)])
    }

    private func brml(_ name: String, _ change: (inout RawData) -> Void) throws -> String {
        var raw = RawData()
        change(&raw)
        return try writeBRML(name, raw)
    }

    // MARK: - Reading

    func testRealisticCoupledScan() throws {
        let path = try writeBRML("scan.brml", RawData())
        let scans = try BRMLReader.read(path: path)
        XCTAssertEqual(scans.count, 1)
        let scan = scans[0]
        XCTAssertEqual(scan.source, path)
        XCTAssertNil(scan.scanIndex)
        XCTAssertEqual(scan.axis, .twoTheta)
        XCTAssertEqual(scan.x, [10, 10.25, 10.5, 10.75, 11, 11.25])
        XCTAssertEqual(scan.intensity, [1080, 1024, 1009, 997, 969, 1044])
        XCTAssertNil(scan.sigma)
        XCTAssertEqual(
            scan.wavelength,
            ScanWavelength(
                alpha1: 1.5406, alpha2: 1.54439, ratio: 0.5,
                origin: "file scan.brml: Experiment0/RawData0.xml WaveLengthAlpha1, WaveLengthAlpha2, WaveLengthRatio"))
        // The MeasuredTime column (the effective time of a PSD scan), not the per-channel 0.5 s.
        XCTAssertEqual(scan.countingTime, 96)
        // Through the dispatcher, and found in a folder.
        XCTAssertEqual(try ScanFiles.read(path), scans)
        XCTAssertEqual(try ScanFiles.expand([folder.path]), [path])
    }

    func testAxisFromStartAndIncrementWithReference() throws {
        // x = (Reference + Start) + i·Increment; the rows' own 2θ column (rounded) is not used.
        let path = try brml("ref.brml") {
            $0.reference = "0.5"
            $0.start = "20"
            $0.increment = "0.02"
            $0.stop = "20.1"
            $0.rows = ["1,1,20.5,0,5", "1,1,20.52,0,6", "1,1,20.54,0,7", "1,1,20.56,0,8", "1,1,20.58,0,9", "1,1,20.6,0,10"]
        }
        let scan = try XCTUnwrap(BRMLReader.read(path: path).first)
        XCTAssertEqual(scan.x, (0..<6).map { 20.5 + Double($0) * 0.02 })
        XCTAssertEqual(scan.intensity, [5, 6, 7, 8, 9, 10])
        XCTAssertEqual(scan.countingTime, 1)
    }

    func testPointCountFromStopWhenNoMeasurementPoints() throws {
        let path = try brml("stop.brml") { $0.points = nil }
        XCTAssertEqual(try BRMLReader.read(path: path)[0].x, [10, 10.25, 10.5, 10.75, 11, 11.25])
        let neither = try brml("neither.brml") {
            $0.points = nil
            $0.stop = nil
        }
        XCTAssertEqual(try BRMLReader.read(path: neither)[0].x.count, 6)
    }

    func testTwoScanArchive() throws {
        var second = RawData()
        second.start = "30"
        second.stop = "30.5"
        second.increment = "0.5"
        second.points = "2"
        second.rows = ["2,1,30,15,7", "2,1,30.5,15.25,9"]
        second.instrument = Self.tube(alpha1: "0.70932", alpha2: "0.71361", ratio: "0.5")
        let names = ["Experiment0/RawData0.xml", "Experiment0/RawData1.xml"]
        // Written in the other order: the scans come in the order of the entries' numbers.
        let path = try writeZip(
            "two.brml", containerEntries(names) + [(names[1], second.xml), (names[0], RawData().xml)])
        let scans = try BRMLReader.read(path: path)
        XCTAssertEqual(scans.count, 2)
        XCTAssertEqual(scans.map(\.scanIndex), [0, 1])
        XCTAssertEqual(scans.map(\.source), [path, path])
        XCTAssertEqual(scans[0].x, [10, 10.25, 10.5, 10.75, 11, 11.25])
        XCTAssertEqual(scans[0].intensity, [1080, 1024, 1009, 997, 969, 1044])
        XCTAssertEqual(scans[1].x, [30, 30.5])
        XCTAssertEqual(scans[1].intensity, [7, 9])
        XCTAssertEqual(scans[1].countingTime, 2)
        XCTAssertEqual(
            scans[1].wavelength,
            ScanWavelength(
                alpha1: 0.70932, alpha2: 0.71361, ratio: 0.5,
                origin: "file two.brml: Experiment0/RawData1.xml WaveLengthAlpha1, WaveLengthAlpha2, WaveLengthRatio"))
        XCTAssertEqual(scans[0].wavelength?.origin.contains("RawData0.xml"), true)
        XCTAssertEqual(try ScanFiles.read(path), scans)
    }

    func testNumericEntryOrder() throws {
        func raw(_ count: String) -> RawData {
            var r = RawData()
            r.points = "2"
            r.stop = "10.25"
            r.rows = ["1,1,10,5,\(count)", "1,1,10.25,5.125,\(count)"]
            return r
        }
        let order = [10, 2, 0, 1]
        let entries = order.map { ("Experiment0/RawData\($0).xml", raw("\($0)").xml) }
        let path = try writeZip("many.brml", entries + [("Experiment1/RawData5.xml", raw("99").xml)])
        let scans = try BRMLReader.read(path: path)
        XCTAssertEqual(scans.map { $0.intensity[0] }, [0, 1, 2, 10])
        XCTAssertEqual(scans.map(\.scanIndex), [0, 1, 2, 3])
    }

    func testCountsColumnFromDataViews() throws {
        // Eight columns as in a file with more channels: counts at 7, the counter chosen by its
        // category over a recorded temperature; the MeasuredTime view is absent, so the counting
        // time is <TimePerStepEffective>.
        let views = """
            <DataViews>
              <RawDataView xsi:type="FixedRawDataView" Start="1" Length="1" LogicName="AbsorptionFactor" />
              <RawDataView xsi:type="VaryingRawDataView" Start="2" Length="2">
                <Varying><FieldDefinitions FieldName="TwoTheta" AxisId="TwoTheta" /><FieldDefinitions FieldName="Theta" AxisId="Theta" /></Varying>
              </RawDataView>
              <RawDataView xsi:type="RecordedRawDataView" Start="5" Length="1">
                <Recording LogicName="Temperature" Category="Temperature"><Unit Prefix="None" Base="Celsius" /></Recording>
              </RawDataView>
              <RawDataView xsi:type="FixedRawDataView" Start="4" Length="1" LogicName="Other" />
              <RawDataView xsi:type="FixedRawDataView" Start="6" Length="1" LogicName="Other2" />
              <RawDataView xsi:type="RecordedRawDataView" Start="7" Length="1">
                <Recording LogicName="ScanCounter" Category="Count"><Unit Prefix="None" Base="Counts" /></Recording>
              </RawDataView>
            </DataViews>
            """
        let path = try brml("views.brml") {
            $0.dataViews = views
            $0.points = "3"
            $0.stop = "10.5"
            $0.rows = ["1,1,10,5,-0.1,25.5,2.6,3", "1,8.3,10.25,5.125,-0.1,25.6,2.6,120757", "1,1,10.5,5.25,-0.1,25.7,2.6,4"]
        }
        let scan = try XCTUnwrap(BRMLReader.read(path: path).first)
        XCTAssertEqual(scan.x, [10, 10.25, 10.5])
        // Stored counts are already corrected by the absorption factor: not multiplied again.
        XCTAssertEqual(scan.intensity, [3, 120757, 4])
        XCTAssertEqual(scan.countingTime, 96)
    }

    func testLayoutWithoutDataViews() throws {
        // time, absorption factor, 2θ, θ (the two scan axes), counts
        let path = try brml("noviews.brml") { $0.dataViews = nil }
        let scan = try XCTUnwrap(BRMLReader.read(path: path).first)
        XCTAssertEqual(scan.intensity, [1080, 1024, 1009, 997, 969, 1044])
        XCTAssertEqual(scan.countingTime, 96)
        let short = try brml("noviews-short.brml") {
            $0.dataViews = nil
            $0.rows[3] = "96,1,10.75,997"
        }
        expectInputError(
            try BRMLReader.read(path: short),
            [short, "element <Datum> (row 4)", "5 comma-separated values (time, absorption factor, 2 scan axes, counts)", "4 values"])
    }

    func testCountingTimeVariants() throws {
        let varying = try brml("vary.brml") {
            $0.rows = ["1,1,10,5,1", "2,1,10.25,5,1", "1,1,10.5,5,1", "1,1,10.75,5,1", "1,1,11,5,1", "1,1,11.25,5,1"]
        }
        XCTAssertNil(try BRMLReader.read(path: varying)[0].countingTime)
        let noViewsNoTime = try brml("plain.brml") {
            $0.dataViews = Self.coupledViews.replacingOccurrences(of: "LogicName=\"MeasuredTime\"", with: "LogicName=\"X\"")
            $0.timePerStepEffective = nil
        }
        XCTAssertEqual(try BRMLReader.read(path: noViewsNoTime)[0].countingTime, 0.5)
        let none = try brml("none.brml") {
            $0.dataViews = Self.coupledViews.replacingOccurrences(of: "LogicName=\"MeasuredTime\"", with: "LogicName=\"X\"")
            $0.timePerStepEffective = nil
            $0.timePerStep = nil
        }
        XCTAssertNil(try BRMLReader.read(path: none)[0].countingTime)
    }

    func testWavelengthVariants() throws {
        let alpha1Only = try brml("a1.brml") { $0.instrument = Self.tube(alpha1: "1.78897", alpha2: nil, ratio: nil) }
        XCTAssertEqual(
            try BRMLReader.read(path: alpha1Only)[0].wavelength,
            ScanWavelength(alpha1: 1.78897, origin: "file a1.brml: Experiment0/RawData0.xml WaveLengthAlpha1"))
        let zeroAlpha2 = try brml("mono.brml") { $0.instrument = Self.tube(alpha1: "1.5406", alpha2: "0", ratio: "0") }
        XCTAssertEqual(
            try BRMLReader.read(path: zeroAlpha2)[0].wavelength,
            ScanWavelength(alpha1: 1.5406, ratio: 0, origin: "file mono.brml: Experiment0/RawData0.xml WaveLengthAlpha1, WaveLengthRatio"))
        let plain = try brml("plain.brml") {
            $0.instrument = "<Instrument><WaveLength Unit=\"Å\" Value=\"1.5418\" /></Instrument>"
        }
        XCTAssertEqual(
            try BRMLReader.read(path: plain)[0].wavelength,
            ScanWavelength(alpha1: 1.5418, origin: "file plain.brml: Experiment0/RawData0.xml WaveLength"))
        let none = try brml("nowl.brml") { $0.instrument = "<Instrument />" }
        XCTAssertNil(try BRMLReader.read(path: none)[0].wavelength)
    }

    func testMeasuredRouteIsChosen() throws {
        let other = """
                <DataRoute RouteFlag="Processed">
                  <ScanInformation><MeasurementPoints>2</MeasurementPoints><ScanAxes>
                    <ScanAxisInfo AxisId="TwoTheta"><Start>0</Start><Stop>1</Stop><Increment>1</Increment></ScanAxisInfo>
                  </ScanAxes></ScanInformation>
                  <Datum>1,1,0,0,5</Datum><Datum>1,1,1,0,6</Datum>
                </DataRoute>

            """
        let path = try brml("routes.brml") { $0.otherRoutes = other }
        XCTAssertEqual(try BRMLReader.read(path: path)[0].intensity, [1080, 1024, 1009, 997, 969, 1044])
        let ambiguous = try brml("ambiguous.brml") {
            $0.otherRoutes = other
            $0.routeFlag = "Processed"
        }
        expectInputError(
            try BRMLReader.read(path: ambiguous),
            [ambiguous, "one <DataRoute RouteFlag=\"Measured\">", "2 data routes with flags Processed, Processed"])
    }

    // MARK: - Errors

    func testFileErrors() throws {
        expectInputError(try BRMLReader.read(path: folder.appendingPathComponent("absent.brml").path), ["absent.brml", "no such file"])
        expectInputError(try BRMLReader.read(path: write("empty.brml", Data())), ["empty.brml", "an empty file"])
        let text = write("text.brml", Data("<?xml version=\"1.0\"?><RawData />".utf8))
        expectInputError(try BRMLReader.read(path: text), [text, "a ZIP archive", "not a zip archive"])
        expectInputError(try ScanFiles.read(text), [text, "not a zip archive"])
    }

    func testZipWithoutTheExpectedEntry() throws {
        let path = try writeZip("other.brml", containerEntries([]) + [("Experiment0/RawData1.xml", RawData().xml)])
        expectInputError(
            try BRMLReader.read(path: path),
            [path, "Experiment0/RawData0.xml", "a zip without the expected entry", "[Content_Types].xml"])
        let empty = try writeZip("nothing.brml", [])
        expectInputError(try BRMLReader.read(path: empty), [empty, "a zip without the expected entry (no entries)"])
    }

    func testDamagedEntry() throws {
        // A stored entry whose bytes no longer match its CRC-32.
        let path = try writeZip("crc.brml", [("Experiment0/RawData0.xml", RawData().xml)], compression: .none)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        let range = try XCTUnwrap(bytes.range(of: Data("LockedCoupled".utf8)))
        bytes[range.upperBound - 1] = UInt8(ascii: "X")
        try bytes.write(to: URL(fileURLWithPath: path))
        expectInputError(
            try BRMLReader.read(path: path), [path, "entry Experiment0/RawData0.xml", "a readable zip entry", "a damaged entry"])
    }

    func testNotABrukerRawDataFile() throws {
        let root = try brml("root.brml") { $0.root = "xrdMeasurements" }
        expectInputError(
            try BRMLReader.read(path: root),
            [root, "entry Experiment0/RawData0.xml, line 2", "root element <RawData>", "found root element <xrdMeasurements>"])
        let malformed = try writeZip(
            "bad.brml", [("Experiment0/RawData0.xml", "<?xml version=\"1.0\"?>\n<RawData>\n<DataRoutes></Data>\n</RawData>\n")])
        expectInputError(
            try BRMLReader.read(path: malformed), [malformed, "entry Experiment0/RawData0.xml, line 3", "well-formed", "malformed XML"])
        let truncated = try writeZip("cut.brml", [("Experiment0/RawData0.xml", String(RawData().xml.prefix(1500)))])
        expectInputError(try BRMLReader.read(path: truncated), [truncated, "truncated"])
        let binary = try writeZip("bin.brml", [("Experiment0/RawData0.xml", "PK\u{1}\u{2} not xml")])
        expectInputError(try BRMLReader.read(path: binary), [binary, "not an XML file"])
        let noRoute = try writeZip(
            "noroute.brml", [("Experiment0/RawData0.xml", "<?xml version=\"1.0\"?>\n<RawData>\n  <DataRoutes />\n</RawData>\n")])
        expectInputError(
            try BRMLReader.read(path: noRoute), [noRoute, "line 2, element <RawData>", "<DataRoutes><DataRoute>", "no <DataRoute>"])
    }

    func testNoTwoThetaAxis() throws {
        let path = try brml("rocking.brml") { $0.axisId = "Chi" }
        expectInputError(
            try BRMLReader.read(path: path),
            [path, "element <DataRoute>", "<ScanAxisInfo AxisId=\"TwoTheta\">", "found scan axes Chi, Theta only"])
    }

    func testAxisErrors() throws {
        let radian = try brml("radian.brml") {
            $0.axisUnit = "rad"
            $0.axisBase = "Radian"
        }
        expectInputError(
            try BRMLReader.read(path: radian), [radian, "element <ScanAxisInfo AxisId=\"TwoTheta\">", "degrees", "Base=\"Radian\""])
        let noStart = try brml("nostart.brml") { $0.start = nil }
        expectInputError(try BRMLReader.read(path: noStart), [noStart, "<Start> and <Increment>", "no <Start>"])
        let text = try brml("textstart.brml") { $0.start = "ten" }
        expectInputError(try BRMLReader.read(path: text), [text, "element <Start>", "a finite number", "\"ten\""])
        let zero = try brml("zero.brml") { $0.increment = "0" }
        expectInputError(try BRMLReader.read(path: zero), [zero, "element <Increment>", "non-zero"])
        let points = try brml("points.brml") { $0.points = "6.5" }
        expectInputError(try BRMLReader.read(path: points), [points, "element <MeasurementPoints>", "whole number", "6.5"])
        let stop = try brml("stop.brml") { $0.stop = "12" }
        expectInputError(try BRMLReader.read(path: stop), [stop, "element <Stop>", "= 11.25", "found <Stop> 12.0"])
        let one = try brml("one.brml") {
            $0.points = "1"
            $0.stop = "10"
            $0.rows = ["96,1,10,5,1080"]
        }
        expectInputError(try BRMLReader.read(path: one), [one, "at least two points", "1 point"])
    }

    func testDatumRowErrors() throws {
        let short = try brml("short.brml") { $0.rows[2] = "96,1,10.5,1009" }
        expectInputError(
            try BRMLReader.read(path: short),
            [
                short, "entry Experiment0/RawData0.xml, line", "element <Datum> (row 3)", "5 comma-separated values",
                "4 values: \"96,1,10.5,1009\""
            ])
        let long = try brml("long.brml") { $0.rows[0] = "96,1,10,5,1080,7" }
        expectInputError(try BRMLReader.read(path: long), [long, "(row 1)", "6 values"])
        let text = try brml("text.brml") { $0.rows[1] = "96,1,10.25,5.125,abc" }
        expectInputError(
            try BRMLReader.read(path: text), [text, "element <Datum> (row 2)", "comma-separated numbers", "non-numeric value 5: \"abc\""])
        let empty = try brml("emptyvalue.brml") { $0.rows[4] = "96,,11,5.5,969" }
        expectInputError(try BRMLReader.read(path: empty), [empty, "(row 5)", "non-numeric value 2: \"\""])
        let nan = try brml("nan.brml") { $0.rows[5] = "96,1,11.25,5.625,nan" }
        expectInputError(try BRMLReader.read(path: nan), [nan, "(row 6)", "finite numbers", "non-finite value 5: \"nan\""])
        let none = try brml("norows.brml") { $0.rows = [] }
        expectInputError(try BRMLReader.read(path: none), [none, "element <DataRoute>", "<Datum> rows", "none"])
    }

    func testRowCountDiffersFromPointCount() throws {
        let more = try brml("more.brml") {
            $0.points = "7"
            $0.stop = "11.5"
        }
        expectInputError(
            try BRMLReader.read(path: more),
            [more, "as many <Datum> rows as the 2θ axis has points (<MeasurementPoints> 7, line", "found 6 <Datum> rows"])
        let fromStop = try brml("fewer.brml") {
            $0.points = nil
            $0.stop = "12"
        }
        expectInputError(try BRMLReader.read(path: fromStop), [fromStop, "from <Start>, <Stop>, <Increment>", "found 6 <Datum> rows"])
    }

    func testDataViewErrors() throws {
        let frame = try brml("frame.brml") {
            $0.dataViews = Self.coupledViews.replacingOccurrences(
                of: "Start=\"4\" Length=\"1\" MeasuredDataIndex", with: "Start=\"4\" Length=\"1280\" MeasuredDataIndex")
        }
        expectInputError(try BRMLReader.read(path: frame), [frame, "element <RawDataView>", "one value wide", "Length=\"1280\""])
        let noCounter = try brml("nocounter.brml") {
            $0.dataViews =
                "<DataViews><RawDataView xsi:type=\"FixedRawDataView\" Start=\"0\" Length=\"1\" LogicName=\"MeasuredTime\" /></DataViews>"
        }
        expectInputError(
            try BRMLReader.read(path: noCounter), [noCounter, "element <DataViews>", "RecordedRawDataView", "views FixedRawDataView only"])
        let badStart = try brml("badstart.brml") {
            $0.dataViews = Self.coupledViews.replacingOccurrences(of: "Start=\"4\"", with: "Start=\"four\"")
        }
        expectInputError(try BRMLReader.read(path: badStart), [badStart, "element <RawDataView>", "Start ≥ 0", "Start=\"four\""])
    }

    func testWavelengthErrors() throws {
        let unit = try brml("nm.brml") { $0.instrument = Self.tube(alpha1: "0.15406", alpha2: nil, ratio: nil, unit: "nm") }
        expectInputError(try BRMLReader.read(path: unit), [unit, "element <WaveLengthAlpha1>", "in Å", "Unit=\"nm\""])
        let text = try brml("wltext.brml") { $0.instrument = Self.tube(alpha1: "Cu", alpha2: nil, ratio: nil) }
        expectInputError(try BRMLReader.read(path: text), [text, "element <WaveLengthAlpha1>", "\"Cu\""])
        let negative = try brml("neg.brml") { $0.instrument = Self.tube(alpha1: "-1.5", alpha2: nil, ratio: nil) }
        expectInputError(try BRMLReader.read(path: negative), [negative, "a positive wavelength", "-1.5"])
        let ratio = try brml("ratio.brml") { $0.instrument = Self.tube(alpha1: "1.5406", alpha2: "1.54439", ratio: "-0.5") }
        expectInputError(try BRMLReader.read(path: ratio), [ratio, "element <WaveLengthRatio>", "≥ 0", "-0.5"])
    }
}
