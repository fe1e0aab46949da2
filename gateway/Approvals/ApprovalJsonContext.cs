using System.Text.Json.Serialization;

namespace Gateway.Approvals;

/// <summary>Source-generated JSON of ask mode: the pending list, the answers and the webhook body.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase)]
[JsonSerializable(typeof(List<PendingApprovalRow>))]
[JsonSerializable(typeof(ApprovalAnswer))]
[JsonSerializable(typeof(ApprovalNotice))]
internal sealed partial class ApprovalJsonContext : JsonSerializerContext;
