import Foundation
import PrometheusAPI
import Testing

/// A range query's answer, as a compared metric reads it.
@Suite struct PrometheusSeriesTests {
    static func answer(_ result: String) -> [UInt8] {
        Array(#"{"status":"success","data":{"resultType":"matrix","result":\#(result)}}"#.utf8)
    }

    @Test func oneSeriesGivesItsValuesWithoutNaN() throws {
        let body = Self.answer(#"[{"metric":{},"values":[[1,"1.5"],[2,"NaN"],[3,"+Inf"],[4,"2"]]}]"#)
        let values = try PrometheusAnswer.series(from: body)
        #expect(values.count == 3 && values[0] == 1.5 && values[1] == .infinity && values[2] == 2)
    }

    @Test func noSeriesSeveralOrAFailureAreNamed() {
        #expect(throws: PrometheusAnswer.Problem.noValues) { try PrometheusAnswer.series(from: Self.answer("[]")) }
        #expect(throws: PrometheusAnswer.Problem.noValues) {
            try PrometheusAnswer.series(from: Self.answer(#"[{"metric":{},"values":[[1,"NaN"]]}]"#))
        }
        #expect(throws: PrometheusAnswer.Problem.multipleValues) {
            try PrometheusAnswer.series(from: Self.answer(#"[{"metric":{"a":"1"},"values":[]},{"metric":{"a":"2"},"values":[]}]"#))
        }
        #expect(throws: PrometheusAnswer.Problem.failed("bad_data: parse error")) {
            try PrometheusAnswer.series(from: Array(#"{"status":"error","error":"bad_data: parse error"}"#.utf8))
        }
        #expect(throws: (any Error).self) { try PrometheusAnswer.series(from: Array("<html>".utf8)) }
    }
}
