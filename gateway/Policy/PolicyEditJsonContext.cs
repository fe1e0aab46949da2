using System.Text.Json.Serialization;

namespace Gateway.Policy;

/// <summary>Source-generated JSON of the admin API's rule edits: stable camelCase names, unknown fields refused.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UnmappedMemberHandling = JsonUnmappedMemberHandling.Disallow)]
[JsonSerializable(typeof(RuleAddRequest))]
[JsonSerializable(typeof(RuleAddition))]
[JsonSerializable(typeof(RuleRemoveRequest))]
[JsonSerializable(typeof(RuleRemoval))]
[JsonSerializable(typeof(DefaultChoice))]
[JsonSerializable(typeof(PolicyReset))]
internal sealed partial class PolicyEditJsonContext : JsonSerializerContext;
