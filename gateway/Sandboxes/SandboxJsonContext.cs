using System.Text.Json.Serialization;

namespace Gateway.Sandboxes;

/// <summary>Source-generated JSON for registrations and the persisted registry.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(SandboxRegistration))]
[JsonSerializable(typeof(List<SandboxRegistration>))]
[JsonSerializable(typeof(List<SandboxRow>))]
internal sealed partial class SandboxJsonContext : JsonSerializerContext;
