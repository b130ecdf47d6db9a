// `JSONObject` is an `OrderedDictionary`; users of KubeCore get its API without a second import.
@_exported import OrderedCollections
