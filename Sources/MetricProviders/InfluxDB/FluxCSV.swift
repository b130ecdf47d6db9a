import CanaryAPI
import Foundation

/// Reads InfluxDB's annotated CSV (the Flux query answer): `#datatype`, `#group` and `#default` rows, a
/// header row, then records; a table whose header has an `error` column reports a failed query.
enum FluxCSV {
    /// One record's `_value`: its cell (the column's default when empty), its datatype, and which table it is in.
    struct Record {
        var cell: String
        var type: String
        /// The table: the header it follows and its `table` column.
        var table: String
    }

    /// The `_value` of the first record. Flagger accepts only a `double`; Serin also takes `long` and
    /// `unsignedLong` (what `count()` answers). An empty answer has no values (Flagger reads it as 0).
    static func firstValue(in text: String, api: VendorAPI) throws(MetricError) -> Double {
        var first: Record?
        try forEachRecord(in: text, api: api) { record in
            first = record
            return false
        }
        guard let first, let value = try number(first, api: api) else { throw MetricError.noValues }
        guard value.isFinite else { throw MetricError.notFinite(first.cell) }
        return value
    }

    /// The `_value` of every record in order, empty ones (null) dropped, at most ``SeriesPoints/limit``: the
    /// series of a query that yields one table; records of several tables are ``MetricError/multipleValues``.
    static func values(in text: String, api: VendorAPI) throws(MetricError) -> [Double] {
        var values: [Double?] = []
        var table: String?
        try forEachRecord(in: text, api: api) { record throws(MetricError) in
            guard table == nil || table == record.table else { throw MetricError.multipleValues }
            table = record.table
            values.append(try number(record, api: api))
            return values.count < SeriesPoints.limit
        }
        return try SeriesPoints.finish(values)
    }

    /// A record's number, `nil` for an empty cell; a value that is not a number is refused by name.
    private static func number(_ record: Record, api: VendorAPI) throws(MetricError) -> Double? {
        if record.cell.isEmpty { return nil }
        guard ["double", "long", "unsignedLong"].contains(record.type), let value = Double(record.cell) else {
            throw MetricError.query("influxdb: invalid response: _value \(api.scrubbed(record.cell)) is a \(record.type), not a number")
        }
        return value
    }

    /// Calls `body` with each record in order until it answers `false`; an error table is the query's error.
    private static func forEachRecord(
        in text: String, api: VendorAPI, _ body: (Record) throws(MetricError) -> Bool
    ) throws(MetricError) {
        var (datatypes, defaults, header): ([String], [String], [String]?) = ([], [], nil)
        var headers = 0
        for row in rows(text) {
            guard let first = row.first else { continue }
            if row.count == 1 && first.isEmpty {  // a blank line ends a table
                (datatypes, defaults, header) = ([], [], nil)
                continue
            }
            switch first {
            case "#datatype": (datatypes, header) = (row, nil); continue
            case "#default": defaults = row; continue
            case "#group": continue
            default: break
            }
            guard let columns = header else {
                (header, headers) = (row, headers + 1)
                continue
            }
            if let error = columns.firstIndex(of: "error") {
                let message = error < row.count ? row[error] : "the query failed"
                throw MetricError.query("influxdb: query error: \(api.scrubbed(message))")
            }
            guard let index = columns.firstIndex(of: "_value") else {
                throw MetricError.query("influxdb: the answer has no _value column (columns: \(columns.joined(separator: ",")))")
            }
            func cell(_ column: Int?) -> String {
                guard let column else { return "" }
                let written = column < row.count ? row[column] : ""
                return written.isEmpty && column < defaults.count ? defaults[column] : written
            }
            let type = index < datatypes.count ? datatypes[index] : "double"
            guard try body(Record(cell: cell(index), type: type, table: "\(headers)/\(cell(columns.firstIndex(of: "table")))")) else { return }
        }
    }

    /// The CSV's rows (RFC 4180: quoted cells may hold commas, quotes as `""`, and line breaks).
    static func rows(_ text: String) -> [[String]] {
        let characters = Array(text.replacingOccurrences(of: "\r\n", with: "\n"))
        var rows: [[String]] = []
        var row: [String] = []
        var cell = ""
        var quoted = false
        var index = 0
        while index < characters.count {
            let character = characters[index]
            index += 1
            switch (quoted, character) {
            case (true, "\"") where index < characters.count && characters[index] == "\"":
                cell.append("\"")
                index += 1
            case (_, "\""): quoted.toggle()
            case (true, _): cell.append(character)
            case (false, ","):
                row.append(cell)
                cell = ""
            case (false, "\n"):
                row.append(cell)
                rows.append(row)
                (row, cell) = ([], "")
            default: cell.append(character)
            }
        }
        if !cell.isEmpty || !row.isEmpty {
            row.append(cell)
            rows.append(row)
        }
        return rows
    }
}
