using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Listeners;

namespace Gateway.Dns;

/// <summary>
/// Reads one query, has <see cref="EgressDecider"/> decide it, and writes its answer: the
/// transport-free core of <see cref="DnsServer"/>.
/// A/AAAA for a name the querying sandbox may reach on 443 or 80 (the only ports a sandbox
/// reaches without the forward proxy, which resolves names itself) → the gateway's address on
/// the link the query came in on (under report mode a name the policy denies too, audited as
/// <c>wouldBlock</c>); a name the policy blocks as <c>dns.blocked</c> says (NXDOMAIN by default,
/// REFUSED, or the gateway's address so the transparent listener refuses the connection);
/// everything else REFUSED, except a minimal SOA/NS for the root.
/// </summary>
internal sealed class DnsResolver(EgressDecider decider, GatewayConfig config)
{
    private readonly DnsBlockedAnswer _blocked = config.Dns?.Blocked ?? DnsBlockedAnswer.NxDomain;

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
        var exchange = default(DnsExchange);
        Span<byte> name = stackalloc byte[DnsQueryReader.MaxNameLength];
        DnsParseStatus status = DnsQueryReader.TryRead(message, name, out DnsQuery query, out _);
        scoped EgressRequest request = new() { Listener = ListenerKind.Dns, Remote = remote, Started = started };
        if (status != DnsParseStatus.Complete)
        {
            if (status == DnsParseStatus.Malformed)
            {
                // Every query is audited, a malformed one too: DNS is an exfiltration channel.
                exchange.Verdict = decider.DnsMalformed(in request);
                exchange.Decided = true;
                exchange.Rcode = query.Rcode;
                exchange.Length = DnsResponseWriter.WriteError(response, message, query, query.Rcode, DnsResponseWriter.LimitFor(query, tcp));
            }
            else
            {
                decider.CountUnreadable(); // a response or a fragment: not worth an answer, nor an event
            }

            return exchange;
        }

        int limit = DnsResponseWriter.LimitFor(query, tcp);
        request.Host = name[..query.NameLength];
        if (query.HasEdns && query.EdnsVersion != 0)
        {
            exchange.Verdict = decider.DnsMalformed(in request);
            exchange.Decided = true;
            return Refuse(ref exchange, response, message, query, DnsRcode.BadVers, limit);
        }

        if (query.NameLength == 0)
        {
            bool answerable = query.Class == DnsType.ClassIn && query.Type is DnsType.Soa or DnsType.Ns;
            exchange.Verdict = decider.DnsRoot(in request, answerable);
            exchange.Decided = true;
            if (answerable && exchange.Verdict.LetsThrough)
            {
                exchange.Rcode = DnsRcode.NoError;
                exchange.Length = DnsResponseWriter.WriteRoot(response, message, query, limit);
                return exchange;
            }

            return Refuse(ref exchange, response, message, query, DnsRcode.Refused, limit);
        }

        // 443 first, then 80: a name is answered when the sandbox may reach it on either. Report
        // mode answers a denied name too: refusing it would break the agent before the connection
        // that report mode lets through is even tried.
        request.Port = TlsPort;
        request.FallbackPort = HttpPort;
        exchange.Verdict = decider.Decide(in request);
        exchange.Decided = true;
        if (!exchange.Verdict.LetsThrough)
        {
            // A name the policy refuses is answered as dns.blocked says; every other refusal
            // (unknown sandbox, invalid name, policy error) is REFUSED: there is no name to speak of.
            bool byPolicy = exchange.Verdict.DecidedByPolicy;
            if (!byPolicy || _blocked != DnsBlockedAnswer.Gateway)
            {
                return Refuse(ref exchange, response, message, query, byPolicy && _blocked == DnsBlockedAnswer.NxDomain ? DnsRcode.NxDomain : DnsRcode.Refused, limit);
            }
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
