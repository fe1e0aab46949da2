using System.Text.Json.Serialization;
using Vmm.Sandboxes;

namespace Vmm.Admin;

/// <summary>Source-generated JSON for the admin API and vmm's own records.</summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase,
    UseStringEnumConverter = true,
    WriteIndented = true)]
[JsonSerializable(typeof(GatewayStatus))]
[JsonSerializable(typeof(GatewayRegistration))]
[JsonSerializable(typeof(GatewayErrors))]
[JsonSerializable(typeof(GatewayEnvironment))]
[JsonSerializable(typeof(SandboxRecord))]
[JsonSerializable(typeof(List<SandboxRow>))]
internal sealed partial class VmmJsonContext : JsonSerializerContext;
