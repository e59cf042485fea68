package gateway

// What the gateway knows about each request family comes from the registry
// in package call: the family a request belongs to (call.Router), the header
// its credential goes upstream in and the format of the errors the gateway
// answers it with (call.Style). The response parser of each family is in
// parsers (parse_response.go).
