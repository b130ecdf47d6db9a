import Foundation
import KubeCore

/// Builds `meta.k8s.io/v1` Tables, the form `kubectl get` asks for (`Accept: …;as=Table;…`).
enum TableConverter {
    static func table(
        _ type: ResourceType, objects: [JSONValue], resourceVersion: String?, includeObject: String?,
        headers: Bool = true, now: Date
    ) -> JSONValue {
        var table: JSONValue = ["kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": ["resourceVersion": .string(resourceVersion ?? "")]]
        table["columnDefinitions"] = headers ? columnDefinitions(type) : []
        table["rows"] = .array(objects.map { row(type, $0, includeObject: includeObject, now: now) })
        return table
    }

    static func columnDefinitions(_ type: ResourceType) -> JSONValue {
        var columns: [JSONValue] = [
            [
                "name": "Name", "type": "string", "format": "name", "priority": 0,
                "description": "Name must be unique within a namespace.",
            ]
        ]
        for column in type.columns {
            columns.append([
                "name": .string(column.name), "type": .string(column.type == "date" ? "string" : column.type), "format": "",
                "description": .string(column.description), "priority": .int(column.priority),
            ])
        }
        return .array(columns)
    }

    private static func row(_ type: ResourceType, _ object: JSONValue, includeObject: String?, now: Date) -> JSONValue {
        var cells: [JSONValue] = [object[path: "metadata", "name"] ?? ""]
        for column in type.columns {
            let value = column.cell(object)
            if column.type == "date" {
                let age = value.stringValue.flatMap { KubeTime(rfc3339: $0) }.map { BuiltinResources.humanDuration(now.timeIntervalSince($0.date)) }
                cells.append(.string(age ?? "<unknown>"))
            } else {
                cells.append(value.isNull ? (column.type == "string" ? "" : .null) : value)
            }
        }
        let embedded: JSONValue
        switch includeObject {
        case "None": embedded = .null
        case "Object": embedded = object
        default:
            embedded = ["kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1", "metadata": object["metadata"] ?? [:]]
        }
        return ["cells": .array(cells), "object": embedded]
    }
}
