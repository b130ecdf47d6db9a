import CanaryAPI
import Foundation

/// Reads InfluxDB's annotated CSV (the Flux query answer): `#datatype`, `#group` and `#default` rows, a
/// header row, then records; a table whose header has an `error` column reports a failed query.
enum FluxCSV {
    /// The `_value` of the first record. Flagger accepts only a `double`; Serin also takes `long` and
    /// `unsignedLong` (what `count()` answers). An empty answer has no values (Flagger reads it as 0).
    static func firstValue(in text: String, api: VendorAPI) throws(MetricError) -> Double {
        var datatypes: [String] = []
        var defaults: [String] = []
        var header: [String]?
        for row in rows(text) {
            guard let first = row.first else { continue }
            if row.count == 1 && first.isEmpty {  // a blank line ends a table
                (datatypes, defaults, header) = ([], [], nil)
                continue
            }
            switch first {
            case "#datatype": datatypes = row; header = nil; continue
            case "#default": defaults = row; continue
            case "#group": continue
            default: break
            }
            guard let columns = header else {
                header = row
                continue
            }
            if let error = columns.firstIndex(of: "error") {
                let message = error < row.count ? row[error] : "the query failed"
                throw MetricError.query("influxdb: query error: \(api.scrubbed(message))")
            }
            guard let index = columns.firstIndex(of: "_value") else {
                throw MetricError.query("influxdb: the answer has no _value column (columns: \(columns.joined(separator: ",")))")
            }
            var cell = index < row.count ? row[index] : ""
            if cell.isEmpty, index < defaults.count { cell = defaults[index] }
            if cell.isEmpty { throw MetricError.noValues }
            let type = index < datatypes.count ? datatypes[index] : "double"
            guard ["double", "long", "unsignedLong"].contains(type), let value = Double(cell) else {
                throw MetricError.query("influxdb: invalid response: _value \(api.scrubbed(cell)) is a \(type), not a number")
            }
            guard value.isFinite else { throw MetricError.notFinite(cell) }
            return value
        }
        throw MetricError.noValues
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
