using System.Text.Json.Serialization;
using Gateway.Audit;
using Gateway.Cli.Policy;

namespace Gateway.Cli;

/// <summary>Source-generated JSON for `--json` output: stable camelCase fields, arrays at the top.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, WriteIndented = true)]
[JsonSerializable(typeof(List<RuleRow>))]
[JsonSerializable(typeof(List<ExplainResult>))]
[JsonSerializable(typeof(List<CheckResult>))]
[JsonSerializable(typeof(List<AuditLogRow>))]
internal sealed partial class CliJsonContext : JsonSerializerContext;
