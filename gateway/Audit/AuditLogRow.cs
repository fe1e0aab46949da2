using System.Text.Json.Serialization;

namespace Gateway.Audit;

/// <summary>One row of <c>policy log</c>, and its <c>--json</c> shape (stable camelCase names).</summary>
/// <param name="Sandbox">The sandbox's name.</param>
/// <param name="Type">"network".</param>
/// <param name="Host">The host decided.</param>
/// <param name="Port">The port, when every event of the row had the same one; omitted otherwise.</param>
/// <param name="Proxy">"forward", "transparent", "network" or "dns".</param>
/// <param name="Rule">The deciding rule's source ("local", "kit:NAME", a group name, "default", "egress-guard").</param>
/// <param name="RuleId">The deciding rule's id, of the latest event.</param>
/// <param name="Decision">"allowed" or "blocked".</param>
/// <param name="WouldBlock">Allowed only because <c>policy.mode</c> is report: the rule would have blocked it. Written only when true.</param>
/// <param name="FirstSeen">The earliest event.</param>
/// <param name="LastSeen">The latest event.</param>
/// <param name="Count">Events in the row.</param>
/// <param name="Injected">The credential sources (names, never values) injected into the row's requests, comma-separated; omitted when none.</param>
/// <param name="Listener">"forward", "transparentTls", "transparentHttp" or "dns" (see <see cref="AuditListener"/>).</param>
internal sealed record AuditLogRow(
    string Sandbox,
    string Type,
    string Host,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] int? Port,
    string Proxy,
    string Rule,
    string RuleId,
    string Decision,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] bool WouldBlock,
    DateTimeOffset FirstSeen,
    DateTimeOffset LastSeen,
    long Count,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Injected = null,
    string? Listener = null)
{
    /// <summary>The PROXY cell: the listener for transparent rows (TLS and HTTP apart), else the proxy.</summary>
    [JsonIgnore]
    public string ProxyCell => Proxy == AuditEvent.TransparentProxy ? Listener ?? AuditListener.Of(Proxy, Port ?? 0) : Proxy;
}
