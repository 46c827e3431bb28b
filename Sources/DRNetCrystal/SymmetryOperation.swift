import DRNetEngine
import DRNetIO

/// One space-group symmetry operation x′ = R·x + t on fractional coordinates, as written in a
/// CIF's `_symmetry_equiv_pos_as_xyz` / `_space_group_symop_operation_xyz` (`-y+1/2,x-y,z+0.25`).
///
/// R is an integer 3×3 matrix (row-major: row i gives coordinate i of x′) with determinant ±1;
/// t holds fractions, wrapped to [0, 1). A reflection h (row vector of Miller indices) is
/// equivalent to h·R: F(h·R) and F(h) differ only by the phase factor exp(−2πi h·R⁻¹…), so
/// |F|² is the same (the basis of the multiplicity count in `PowderPattern`).
public struct SymmetryOperation: Sendable, Hashable {
    /// R, row-major 3×3.
    public var rotation: [Int]
    /// t, each component in [0, 1).
    public var translation: SIMD3<Double>

    public init(rotation: [Int], translation: SIMD3<Double>) {
        self.rotation = rotation
        var t = translation
        t -= t.rounded(.down)
        for i in 0..<3 where abs(t[i] - 1) < 1e-9 || abs(t[i]) < 1e-9 { t[i] = 0 }
        self.translation = t
    }

    public static let identity = SymmetryOperation(rotation: [1, 0, 0, 0, 1, 0, 0, 0, 1], translation: .zero)

    /// R·x + t (not wrapped into the cell).
    public func apply(_ x: SIMD3<Double>) -> SIMD3<Double> {
        let r = rotation
        return SIMD3(
            Double(r[0]) * x.x + Double(r[1]) * x.y + Double(r[2]) * x.z,
            Double(r[3]) * x.x + Double(r[4]) * x.y + Double(r[5]) * x.z,
            Double(r[6]) * x.x + Double(r[7]) * x.y + Double(r[8]) * x.z) + translation
    }

    /// det R.
    public var determinant: Int {
        let r = rotation
        return r[0] * (r[4] * r[8] - r[5] * r[7]) - r[1] * (r[3] * r[8] - r[5] * r[6]) + r[2] * (r[3] * r[7] - r[4] * r[6])
    }

    /// Parses an operation such as `-x+1/2, y-x, 0.5+z` (case-insensitive, spaces ignored).
    /// Each of the three comma-separated components is a sum of signed terms: `x`, `y`, `z`
    /// (coefficient ±1 only) and constants (integers, fractions `p/q`, decimals).
    /// - Returns: the operation, or a message saying what is wrong with the text.
    public static func parse(_ text: String) -> Result<SymmetryOperation, ParseFailure> {
        let parts = text.lowercased().filter { !$0.isWhitespace }.split(separator: ",", omittingEmptySubsequences: false)
        guard parts.count == 3 else {
            return .failure(ParseFailure("three comma-separated components (e.g. -x+1/2,y,z), found \(parts.count)"))
        }
        var rotation = [Int](repeating: 0, count: 9)
        var translation = SIMD3<Double>.zero
        for (row, part) in parts.enumerated() {
            guard !part.isEmpty else { return .failure(ParseFailure("a non-empty component \(row + 1)")) }
            var i = part.startIndex
            while i < part.endIndex {
                var sign = 1.0
                if part[i] == "+" || part[i] == "-" {
                    sign = part[i] == "-" ? -1 : 1
                    i = part.index(after: i)
                }
                guard i < part.endIndex else { return .failure(ParseFailure("a term after the sign in \"\(part)\"")) }
                if let axis = "xyz".firstIndex(of: part[i]) {
                    let col = "xyz".distance(from: "xyz".startIndex, to: axis)
                    rotation[row * 3 + col] += Int(sign)
                    i = part.index(after: i)
                    continue
                }
                var j = i
                while j < part.endIndex, part[j].isNumber || part[j] == "." || part[j] == "/" { j = part.index(after: j) }
                let number = part[i..<j]
                guard !number.isEmpty else {
                    return .failure(ParseFailure("x, y, z or a number, found \"\(part[i])\" in \"\(part)\""))
                }
                if j < part.endIndex, "xyz".contains(part[j]) {
                    return .failure(ParseFailure("coefficients ±1 of x, y, z only, found \"\(number)\(part[j])\" in \"\(part)\""))
                }
                let value: Double?
                if let slash = number.firstIndex(of: "/") {
                    let p = Double(number[..<slash]), q = Double(number[number.index(after: slash)...])
                    value = (p != nil && q != nil && q! != 0) ? p! / q! : nil
                } else {
                    value = Double(number)
                }
                guard let v = value else { return .failure(ParseFailure("a number, found \"\(number)\" in \"\(part)\"")) }
                translation[row] += sign * v
                i = j
            }
        }
        let op = SymmetryOperation(rotation: rotation, translation: translation)
        guard rotation.allSatisfy({ abs($0) <= 1 }), abs(op.determinant) == 1 else {
            return .failure(ParseFailure("a crystallographic operation (det R = ±1), found det R = \(op.determinant)"))
        }
        return .success(op)
    }

    /// What a symmetry-operation text lacked.
    public struct ParseFailure: Error, Sendable { public var expected: String; init(_ e: String) { expected = e } }
}
