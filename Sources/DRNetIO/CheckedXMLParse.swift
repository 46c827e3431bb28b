#if canImport(FoundationXML)
    import FoundationXML
#endif
import DRNetEngine
import Foundation

/// What an XML reader's `XMLParser` delegate keeps so that a document that is not well-formed
/// is reported in the project's form (`XRDMLReader`, `BRMLReader`): the open-element stack, whether
/// a root element was seen, the reader's own first error, and the first XML error.
protocol XMLCollecting: AnyObject {
    var stack: [String] { get }
    var rootSeen: Bool { get }
    var error: InputError? { get set }
    /// The first XML error: where, the elements open there, and the parser's code. (On Linux
    /// the parser recovers and goes on, so the first report is the one that places the error.)
    var xmlError: (line: Int, column: Int, open: [String], code: Int?)? { get set }
}

extension XMLCollecting {
    /// Keeps the first XML error and stops (call from `parser(_:parseErrorOccurred:)`).
    func recordParseError(_ parser: XMLParser, _ parseError: Error) {
        guard error == nil, xmlError == nil else { return }
        xmlError = (parser.lineNumber, parser.columnNumber, stack, (parseError as NSError).code)
        parser.abortParsing()
    }

    /// Keeps the reader's first error and stops.
    func fail(_ parser: XMLParser, _ e: InputError) {
        if error == nil { error = e }
        parser.abortParsing()
    }
}

enum CheckedXMLParse {
    /// Runs `parser` (its delegate `collector`) over `data`, then throws the reader's own error,
    /// or an `InputError` for a document that is not well-formed: not XML at all, truncated
    /// (it ends with elements open), or malformed at a line and column.
    /// - Parameters:
    ///   - location: what precedes the line in the error's location (e.g. `entry E, `).
    ///   - document: what the data is, for the truncation message (`a file`, `an entry`).
    ///   - expected: what a well-formed document is (`a well-formed XRDML (XML) file`).
    static func run(
        _ parser: XMLParser, collector: some XMLCollecting, data: some BidirectionalCollection<UInt8>, file: String, location: String = "",
        document: String, expected: String
    ) throws {
        let finished = parser.parse()
        if let error = collector.error { throw error }
        let parserCode = parser.parserError.map { ($0 as NSError).code }
        let problem =
            collector.xmlError
            ?? ((!finished || parserCode != nil || !collector.stack.isEmpty || !collector.rootSeen)
                ? (parser.lineNumber, parser.columnNumber, collector.stack, parserCode) : nil)
        guard let (line, column, open, code) = problem else { return }
        let inside = open.isEmpty ? "" : ", inside <\(open.joined(separator: "><"))>"
        // The line the data ends on: a parser stopping there with elements open met the end of the data.
        let lastLine = data.reduce(1) { $0 + ($1 == 0x0A ? 1 : 0) } - (data.last == 0x0A ? 1 : 0)
        let what: String
        if !collector.rootSeen {
            what = "no XML element (not an XML file\(code.map { "; XMLParser error \($0)" } ?? ""))"
        } else if !open.isEmpty && line >= lastLine {
            what = "\(document) that ends before its elements are closed (truncated)"
        } else {
            what = "malformed XML (XMLParser error \(code.map(String.init) ?? "unknown")) at column \(column)"
        }
        throw InputError(file: file, location: "\(location)line \(line)\(inside)", expected: expected, found: what)
    }
}
