using System.Net;

namespace Gateway.Configuration;

/// <summary>The sandbox-facing resolver (<c>dns:</c>).</summary>
/// <param name="AnswerAddress">
/// The address allowed names resolve to; null = the gateway's address on the interface the query
/// arrived on (right for point-to-point sandbox links; set it when a NAT or a shared bridge sits between).
/// </param>
/// <param name="Blocked">How a name the sandbox may not reach is answered (<c>dns.blocked</c>; NXDOMAIN by default).</param>
internal sealed record DnsConfig(IPAddress? AnswerAddress, DnsBlockedAnswer Blocked = DnsBlockedAnswer.NxDomain);
