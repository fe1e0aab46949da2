using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Configuration;
using Gateway.Metrics;
using Gateway.Policy;
using Gateway.Sandboxes;
using PolicyCompiler.Compilation;

namespace Gateway.Dns;

/// <summary>
/// Decides one query and writes its answer: the transport-free core of <see cref="DnsServer"/>.
/// A/AAAA for a name the querying sandbox may reach on 443 or 80 (the only ports a sandbox
/// reaches without the forward proxy, which resolves names itself) → the gateway's address on
/// the link the query came in on (under report mode a name the policy denies too, audited as
/// <c>wouldBlock</c>); a name the policy blocks as <c>dns.blocked</c> says (NXDOMAIN by default,
/// REFUSED, or the gateway's address so the transparent listener refuses the connection);
/// everything else REFUSED, except a minimal SOA/NS for the root.
/// </summary>
internal sealed class DnsResolver(LivePolicy policy, SandboxRegistry sandboxes, GatewayMetrics metrics, PolicyEnforcement enforcement, GatewayConfig config)
{
    private readonly DnsBlockedAnswer _blocked = config.Dns?.Blocked ?? DnsBlockedAnswer.NxDomain;

    /// <summary>Audit rule of a query that could not be read.</summary>
    public const string MalformedRule = "dns-malformed";

    /// <summary>Audit rule of a query from an address no sandbox owns.</summary>
    public const string UnknownSandboxRule = "unknown-sandbox";

    /// <summary>Ports a name must be allowed on, in order, to resolve: TCP 443 and 80 are what nftables redirects to the transparent listeners.</summary>
    private const int TlsPort = 443;
    private const int HttpPort = 80;

    /// <summary>
    /// Answers <paramref name="message"/> from <paramref name="remote"/> into <paramref name="response"/>
    /// (at least <see cref="DnsResponseWriter.MaxResponseLength"/> bytes). <paramref name="local"/> is the
    /// gateway's address the query arrived on: the address every allowed name resolves to.
    /// </summary>
    public DnsExchange Answer(ReadOnlySpan<byte> message, Span<byte> response, IPAddress remote, IPAddress? local, bool tcp, long started)
    {
        var exchange = new DnsExchange { Started = started };
        Span<byte> name = stackalloc byte[DnsQueryReader.MaxNameLength];
        DnsParseStatus status = DnsQueryReader.TryRead(message, name, out DnsQuery query, out _);
        if (status != DnsParseStatus.Complete)
        {
            metrics.RecordError(ErrorKind.MalformedRequest);
            if (status == DnsParseStatus.Malformed)
            {
                // Every query is audited, a malformed one too: DNS is an exfiltration channel.
                exchange.Sandbox = sandboxes.Identify(remote) ?? Sandbox.Unknown;
                exchange.Host = "-";
                exchange.RefusalRule = MalformedRule;
                exchange.Rcode = query.Rcode;
                exchange.Length = DnsResponseWriter.WriteError(response, message, query, query.Rcode, DnsResponseWriter.LimitFor(query, tcp));
            }

            return exchange;
        }

        int limit = DnsResponseWriter.LimitFor(query, tcp);
        if (query.HasEdns && query.EdnsVersion != 0)
        {
            return Refuse(ref exchange, response, message, query, DnsRcode.BadVers, limit);
        }

        Sandbox? sandbox = sandboxes.Identify(remote);
        if (sandbox is null)
        {
            metrics.RecordError(ErrorKind.UnknownSandbox);
            exchange.Sandbox = Sandbox.Unknown;
            exchange.Host = query.NameLength == 0 ? "." : Encoding.ASCII.GetString(name[..query.NameLength]);
            exchange.RefusalRule = UnknownSandboxRule;
            return Refuse(ref exchange, response, message, query, DnsRcode.Refused, limit);
        }

        exchange.Sandbox = sandbox;
        if (query.NameLength == 0)
        {
            exchange.Root = true;
            exchange.Host = ".";
            if (query.Class == DnsType.ClassIn && query.Type is DnsType.Soa or DnsType.Ns)
            {
                exchange.Length = DnsResponseWriter.WriteRoot(response, message, query, limit);
                return exchange;
            }

            return Refuse(ref exchange, response, message, query, DnsRcode.Refused, limit);
        }

        ReadOnlySpan<byte> host = name[..query.NameLength];
        PolicySnapshot snapshot = policy.Current;
        KitSet kits = SandboxRegistry.KitsOf(sandbox, snapshot);
        long decideStarted = Stopwatch.GetTimestamp();
        Decision decision = snapshot.Decide(host, TlsPort, kits);
        exchange.Port = TlsPort;
        if (!decision.IsAllowed && decision.Reason != DecisionReason.InvalidHost)
        {
            Decision http = snapshot.Decide(host, HttpPort, kits);
            if (http.IsAllowed)
            {
                decision = http;
                exchange.Port = HttpPort;
            }
        }

        // Report mode answers a denied name too: refusing it would break the agent before the
        // connection that report mode lets through is even tried.
        bool wouldBlock = enforcement.WouldBlock(in decision);
        metrics.RecordDecision(decision.IsAllowed || wouldBlock, ProxyKind.Dns, Stopwatch.GetTimestamp() - decideStarted, wouldBlock);
        exchange.Decision = decision;
        exchange.Host = Encoding.ASCII.GetString(host);
        bool blocked = !decision.IsAllowed && !wouldBlock;
        if (blocked && _blocked != DnsBlockedAnswer.Gateway)
        {
            return Refuse(ref exchange, response, message, query, _blocked == DnsBlockedAnswer.NxDomain ? DnsRcode.NxDomain : DnsRcode.Refused, limit);
        }

        if (query.Class != DnsType.ClassIn || query.Type is not (DnsType.A or DnsType.Aaaa))
        {
            return Refuse(ref exchange, response, message, query, DnsRcode.Refused, limit);
        }

        // Blocked under dns.blocked: gateway: the address as for an allowed name, still audited as
        // blocked; the connection that follows is refused by the transparent listener with its reason.

        // The family asked for, or nothing (NOERROR, no answer: the name exists, this family does not).
        Span<byte> address = stackalloc byte[16];
        int length = 0;
        if (local is not null && (local.AddressFamily == AddressFamily.InterNetwork) == (query.Type == DnsType.A))
        {
            local.TryWriteBytes(address, out length);
        }

        exchange.Rcode = DnsRcode.NoError;
        exchange.Length = DnsResponseWriter.WriteAddress(response, message, query, address[..length], limit);
        return exchange;
    }

    private static DnsExchange Refuse(ref DnsExchange exchange, Span<byte> response, ReadOnlySpan<byte> message, in DnsQuery query, DnsRcode rcode, int limit)
    {
        exchange.Rcode = rcode;
        exchange.Length = DnsResponseWriter.WriteError(response, message, query, rcode, limit);
        return exchange;
    }
}
