using System.Text.Json.Serialization;

namespace Gateway.Policy;

/// <summary>Source-generated JSON for the state file: no reflection, stable camelCase names.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    WriteIndented = true,
    RespectNullableAnnotations = true,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(StoredPolicy))]
internal sealed partial class PolicyStoreJsonContext : JsonSerializerContext;
