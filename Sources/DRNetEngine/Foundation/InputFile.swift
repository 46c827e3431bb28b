import Foundation

/// The bytes of one input file, read whole, with byte-level helpers shared by the text readers.
///
/// The text formats (instance key=value text, CSV, IAFD sticks, neighbour lists) are parsed on raw
/// UTF-8 bytes: lines are found with `memchr`, numbers with C `strtod`/`strtof` (always the C
/// locale in a Swift process, so `.` is the decimal point). A NUL byte is appended after the
/// contents so the C parsers can never run past the buffer.
///
/// Encodings: a UTF-8 byte-order mark at the start is dropped (the contents begin after it);
/// lines end in `\n`, `\r\n` or a lone `\r` (old Mac files); a NUL byte in the text is an error
/// (`rejectNUL()`, run by `init(path:)` and by every text reader), naming its line and showing it
/// as `\0`. Binary formats read their bytes with `readBinary(path:)`, untouched.
package struct InputFile {
    /// Path as given by the caller; every `InputError` from this file names it.
    package let path: String
    /// File contents (after a leading byte-order mark) followed by one NUL byte.
    package let bytes: [UInt8]
    /// Number of content bytes (without the NUL terminator).
    package var count: Int { bytes.count - 1 }

    /// Reads the whole text file; throws `InputError` when it is missing, a directory or
    /// unreadable, or when it holds a NUL byte (`rejectNUL()`).
    package init(path: String) throws {
        self.path = path
        bytes = InputFile.text(try InputFile.readBinary(path: path))
        try rejectNUL()
    }

    /// Wraps bytes already in memory (tests, or data read elsewhere); `path` is used in errors.
    /// A leading byte-order mark is dropped; NUL bytes are not checked here (`rejectNUL()`).
    package init(path: String, contents: [UInt8]) {
        self.path = path
        bytes = InputFile.text(contents)
    }

    /// `contents` without a leading UTF-8 byte-order mark, plus the NUL terminator.
    private static func text(_ contents: [UInt8]) -> [UInt8] {
        var b: [UInt8]
        if contents.count >= 3 && contents[0] == 0xEF && contents[1] == 0xBB && contents[2] == 0xBF {
            b = Array(contents[3...])
        } else {
            b = contents
        }
        b.append(0)
        return b
    }

    /// Reads raw bytes only (binary formats such as `.npy`, no byte-order-mark or NUL handling);
    /// throws `InputError` when the file is missing, a directory or unreadable.
    package static func readBinary(path: String) throws -> [UInt8] {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        guard exists else {
            throw InputError(file: path, expected: "an existing file", found: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw InputError(file: path, expected: "a file", found: "a directory")
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            throw InputError(file: path, expected: "a readable file", found: "a file that cannot be read")
        }
        return [UInt8](data)
    }

    /// Throws an `InputError` naming the line and column of the first NUL byte in the text, with
    /// the line shown around it (the NUL as `\0`); a text file never holds one (a file that
    /// starts with a UTF-16 byte-order mark is named as such).
    package func rejectNUL() throws {
        guard let i = firstIndex(of: 0, 0, count) else { return }
        let line = lines().first { $0.start <= i && i <= $0.end } ?? Line(number: 1, start: 0, end: count)
        let column = string(line.start, i).unicodeScalars.count + 1
        let from = max(line.start, i - 20), to = min(line.end, i + 20)
        let utf16 = count >= 2 && ((bytes[0] == 0xFF && bytes[1] == 0xFE) || (bytes[0] == 0xFE && bytes[1] == 0xFF))
        throw InputError(
            file: path, location: "line \(line.number), column \(column)",
            expected: utf16 ? "UTF-8 text (this file looks like UTF-16: save it as UTF-8)" : "text without NUL bytes",
            found: "a NUL byte (\\0) in \"\(from > line.start ? "…" : "")\(string(from, to))\(to < line.end ? "…" : "")\"")
    }

    /// One line of text: 1-based number and the byte range `start..<end` without the line
    /// terminator (`\n`, `\r\n`, or a lone `\r`).
    package struct Line {
        package var number: Int
        package var start: Int
        package var end: Int
        package var isEmpty: Bool { start >= end }
        package init(number: Int, start: Int, end: Int) {
            self.number = number
            self.start = start
            self.end = end
        }
    }

    /// All lines of the file (a final line without terminator included; no empty final line
    /// after a trailing newline). `\n`, `\r\n` and a lone `\r` each end a line.
    package func lines() -> [Line] {
        var result: [Line] = []
        bytes.withUnsafeBufferPointer { buf in
            guard let base = buf.baseAddress else { return }
            let n = count
            var start = 0
            var number = 1
            while start < n {
                var end = n
                if let hit = memchr(base + start, 0x0A, n - start) {
                    end = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
                }
                var next = end + 1
                // A CR before the LF: the CR of a CRLF, or a lone CR (old Mac) ending the line.
                if end > start, let hit = memchr(base + start, 0x0D, end - start) {
                    let cr = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
                    if cr != end - 1 { next = cr + 1 }
                    end = cr
                }
                result.append(Line(number: number, start: start, end: end))
                number += 1
                start = next
            }
        }
        return result
    }

    /// The bytes `start..<end` decoded as UTF-8 (invalid sequences replaced).
    /// One `KEY=value` line of a key=value text file: the line number, the trimmed key and the
    /// byte range of the trimmed value.
    package struct KeyValueLine {
        package var number: Int
        package var key: String
        package var valueStart: Int
        package var valueEnd: Int
    }

    /// The `KEY=value` lines of the file, with `//` comments and blank lines skipped. A
    /// non-blank line without `=` is an error naming its line.
    package func keyValueLines() throws -> [KeyValueLine] {
        var out: [KeyValueLine] = []
        for line in lines() {
            var end = line.end
            if let c = commentStart(line.start, end) { end = c }
            let (s, e) = trimmed(line.start, end)
            if e <= s { continue }
            guard let eq = firstIndex(of: 0x3D, s, e) else {
                throw InputError(
                    file: path, location: "line \(line.number)", expected: "KEY=value",
                    found: "\"\(string(s, min(e, s + 40)))\" (no '=')")
            }
            let (ks, ke) = trimmed(s, eq)
            let (vs, ve) = trimmed(eq + 1, e)
            out.append(KeyValueLine(number: line.number, key: string(ks, ke), valueStart: vs, valueEnd: ve))
        }
        return out
    }

    package func string(_ start: Int, _ end: Int) -> String {
        guard end > start else { return "" }
        return bytes.withUnsafeBufferPointer { buf in
            String(decoding: UnsafeBufferPointer(rebasing: buf[start..<end]), as: UTF8.self)
        }
    }

    /// The text of `line`.
    package func string(_ line: Line) -> String { string(line.start, line.end) }

    /// `start..<end` with ASCII spaces and tabs removed from both sides.
    package func trimmed(_ start: Int, _ end: Int) -> (Int, Int) {
        var s = start, e = end
        while s < e && InputFile.isBlank(bytes[s]) { s += 1 }
        while e > s && InputFile.isBlank(bytes[e - 1]) { e -= 1 }
        return (s, e)
    }

    /// Index of the first `//` in `start..<end`, or nil.
    package func commentStart(_ start: Int, _ end: Int) -> Int? {
        guard end - start >= 2 else { return nil }
        return bytes.withUnsafeBufferPointer { buf -> Int? in
            let base = buf.baseAddress!
            var s = start
            while s < end - 1 {
                guard let hit = memchr(base + s, 0x2F, end - 1 - s) else { return nil }
                let i = UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
                if base[i + 1] == 0x2F { return i }
                s = i + 1
            }
            return nil
        }
    }

    /// Index of the first `byte` in `start..<end`, or nil.
    package func firstIndex(of byte: UInt8, _ start: Int, _ end: Int) -> Int? {
        guard end > start else { return nil }
        return bytes.withUnsafeBufferPointer { buf -> Int? in
            let base = buf.baseAddress!
            guard let hit = memchr(base + start, Int32(byte), end - start) else { return nil }
            return UnsafeRawPointer(hit).assumingMemoryBound(to: UInt8.self) - base
        }
    }

    package static func isBlank(_ b: UInt8) -> Bool { b == 0x20 || b == 0x09 || b == 0x0D }

    /// The first bad item of a comma-separated number list: 1-based position and its text.
    package struct BadItem: Error {
        package var position: Int
        package var text: String
    }

    /// Parses the comma-separated numbers in `start..<end` (spaces around items allowed, one
    /// trailing comma tolerated) with `parse` (a C `strtod`-like function), appending to `out`.
    /// Returns the first item that is empty or not entirely a number.
    package func parseList<T>(
        _ start: Int, _ end: Int, into out: inout [T],
        _ parse: (UnsafePointer<CChar>, UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>) -> T
    )
        -> BadItem?
    {
        bytes.withUnsafeBufferPointer { buf -> BadItem? in
            let base = buf.baseAddress!
            let cbase = UnsafeRawPointer(base).assumingMemoryBound(to: CChar.self)
            var p = start
            var position = 0
            var endPtr: UnsafeMutablePointer<CChar>? = nil
            while true {
                position += 1
                while p < end && (base[p] == 0x20 || base[p] == 0x09) { p += 1 }
                if p >= end || base[p] == 0x2C {
                    // Empty item: fine only as the one after a trailing comma.
                    if p >= end && position > 1 { return nil }
                    return BadItem(position: position, text: "")
                }
                let itemStart = p
                let value = parse(cbase + p, &endPtr)
                var q = endPtr.map { UnsafeRawPointer($0).assumingMemoryBound(to: UInt8.self) - base } ?? p
                if q == p || q > end {
                    return badItem(position, itemStart, end)
                }
                while q < end && (base[q] == 0x20 || base[q] == 0x09) { q += 1 }
                if q < end && base[q] != 0x2C {
                    return badItem(position, itemStart, end)
                }
                out.append(value)
                if q >= end { return nil }
                p = q + 1
            }
        }
    }

    private func badItem(_ position: Int, _ itemStart: Int, _ end: Int) -> BadItem {
        let stop = firstIndex(of: 0x2C, itemStart, end) ?? end
        let (s, e) = trimmed(itemStart, stop)
        return BadItem(position: position, text: string(s, min(e, s + 40)))
    }

    /// Parses comma-separated `Double`s in `start..<end`.
    package func parseDoubles(_ start: Int, _ end: Int, into out: inout [Double]) -> BadItem? {
        parseList(start, end, into: &out) { strtod($0, $1) }
    }

    /// Parses comma-separated `Float`s in `start..<end` (correctly rounded to single precision).
    package func parseFloats(_ start: Int, _ end: Int, into out: inout [Float]) -> BadItem? {
        parseList(start, end, into: &out) { strtof($0, $1) }
    }

    /// Parses one decimal integer occupying all of `start..<end` (after trimming), or nil.
    package func parseInt(_ start: Int, _ end: Int) -> Int? {
        let (s, e) = trimmed(start, end)
        guard e > s else { return nil }
        return Int(string(s, e))
    }

    /// Parses one number occupying all of `start..<end` (after trimming), or nil.
    package func parseDouble(_ start: Int, _ end: Int) -> Double? {
        var out: [Double] = []
        let (s, e) = trimmed(start, end)
        guard e > s, parseDoubles(s, e, into: &out) == nil, out.count == 1,
            firstIndex(of: 0x2C, s, e) == nil
        else { return nil }
        return out[0]
    }
}
