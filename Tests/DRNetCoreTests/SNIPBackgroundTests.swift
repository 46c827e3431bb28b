import XCTest
@testable import DRNetEngine
@testable import DRNetIO

/// The SNIP background (`SNIPBackground`) and `drnet import --background snip`: on a pattern of
/// Gaussian peaks over a smooth background, the estimate follows the background between the
/// peaks, never rises above the data, and its subtraction leaves the peaks' areas.
final class SNIPBackgroundTests: XCTestCase {
    /// T = 2000 points on 10…60 nm⁻¹: background 200·exp(−q/20) + 30, three peaks of σ 0.05 nm⁻¹.
    func pattern() -> (q: [Double], y: [Double], background: [Double], peaks: [Double]) {
        let q = (0..<2000).map { 10 + 50 * Double($0) / 1999 }
        let bg = q.map { 200 * exp(-$0 / 20) + 30 }
        let peaks = q.map { x in
            [(18.0, 400.0), (25.0, 250.0), (41.0, 120.0)].reduce(0.0) { $0 + $1.1 * exp(-0.5 * pow((x - $1.0) / 0.05, 2)) }
        }
        return (q, zip(bg, peaks).map(+), bg, peaks)
    }

    func testTheEstimateFollowsTheBackgroundAndStaysBelowTheData() {
        let p = pattern()
        let step = p.q[1] - p.q[0]
        let estimate = SNIPBackground.estimate(p.y, windowPoints: Int((SNIPBackground.defaultWindow / step).rounded()))
        XCTAssertEqual(estimate.count, p.y.count)
        for i in p.y.indices { XCTAssertLessThanOrEqual(estimate[i], p.y[i] + 1e-9, "above the data at \(i)") }
        // Away from the peaks (> 5σ) within 3 % of the true background.
        for i in p.y.indices where [18.0, 25.0, 41.0].allSatisfy({ abs(p.q[i] - $0) > 0.25 }) {
            XCTAssertEqual(estimate[i], p.background[i], accuracy: 0.03 * p.background[i], "at q = \(p.q[i])")
        }
        // The peaks' areas survive the subtraction within 3 %.
        let residual = zip(p.y, estimate).map { max(0, $0 - $1) }
        for centre in [18.0, 25.0, 41.0] {
            let window = p.q.indices.filter { abs(p.q[$0] - centre) < 0.3 }
            let got = window.reduce(0.0) { $0 + residual[$1] }, want = window.reduce(0.0) { $0 + p.peaks[$1] }
            XCTAssertEqual(got, want, accuracy: 0.03 * want, "peak at \(centre)")
        }
    }

    func testImportSubtractsItAndRecordsIt() throws {
        let p = pattern()
        let scan = MeasuredScan(source: "/data/a.xy", axis: .qInverseNanometres, x: p.q, intensity: p.y, sigma: nil, wavelength: nil)
        var s = ScanImport.Settings()
        s.snipWindow = 1
        let (lib, report, _) = try ScanImport.build(scans: [scan], settings: s, name: "lib")
        let b = try XCTUnwrap(report.background)
        XCTAssertEqual(b.windowNm, 1)
        XCTAssertEqual(b.windowPoints, Int((1 / (p.q[1] - p.q[0])).rounded()))
        XCTAssertTrue(zip(lib.patterns, p.y).allSatisfy { Double($0) <= $1 + 1e-3 && $0 >= 0 })
        // Between the peaks almost nothing is left (the background was 30…90 counts there).
        let i = try XCTUnwrap(p.q.firstIndex { $0 >= 32 })
        XCTAssertLessThan(lib.patterns[i], 3)
        let plain = try ScanImport.build(scans: [scan], settings: ScanImport.Settings(), name: "lib")
        XCTAssertNil(plain.report.background)
        s.snipWindow = 0
        XCTAssertThrowsError(try ScanImport.build(scans: [scan], settings: s, name: "lib")) { error in
            XCTAssertTrue("\(error)".contains("--background"), "\(error)")
        }
    }
}
