using System.Buffers;
using System.Text;
using Gateway.Dialing;
using Gateway.Dns;
using Gateway.Protocols;
using PolicyCompiler.Patterns;

namespace Gateway.Fuzz;

/// <summary>
/// The seven parsers that read what a sandbox, a peer or a kit author sends, each as one AFL++
/// target: an input goes in, any exception or broken contract is a crash. The contracts are the
/// ones tests/Security.Tests/Fuzz asserts with CsCheck; here AFL++ steers the inputs by coverage.
/// </summary>
internal static class FuzzTargets
{
    /// <summary>Every target by the name <c>Gateway.Fuzz NAME</c> and the seed corpus folder use.</summary>
    public static readonly IReadOnlyDictionary<string, Action<byte[]>> All = new Dictionary<string, Action<byte[]>>(StringComparer.Ordinal)
    {
        ["connect-head"] = ConnectHead,
        ["client-hello"] = ClientHelloSni,
        ["http-peek"] = HttpPeek,
        ["dns-query"] = DnsQuery,
        ["socks5-replies"] = Socks5Replies,
        ["absolute-form"] = AbsoluteFormAuthority,
        ["rule-pattern"] = RulePattern,
    };

    private static readonly SearchValues<char> s_neverInHost = SearchValues.Create("\0\t\n\r @/\\?#");

    // CONNECT request head (RFC 9110 §9.3.6): an accepted authority is a host of bounded length and a real port.
    private static void ConnectHead(byte[] input)
    {
        var head = default(ConnectHead);
        ConnectParseStatus status = ConnectRequestReader.TryRead(new ReadOnlySequence<byte>(input), ref head, out _, out _);
        if (status == ConnectParseStatus.Complete)
        {
            string host = Encoding.Latin1.GetString(head.Host);
            Check(head.Port is >= 1 and <= 65535, "port out of range");
            Check(host.Length is >= 1 and <= Protocols.ConnectHead.MaxHostLength, "host length out of range");
            Check(host.AsSpan().IndexOfAny(s_neverInHost) < 0, "host carries a delimiter");
        }
    }

    // TLS ClientHello (RFC 8446 §4.1.2), peeked for the SNI. The reader hands the name on as sent,
    // bounded; whether it is a host at all is the canonicaliser's call (an SNI of "a@b" is refused
    // there: WireInjectionAttackTests), so the contract here is the bound only.
    private static void ClientHelloSni(byte[] input)
    {
        var hello = default(ClientHello);
        if (ClientHelloReader.TryRead(new ReadOnlySequence<byte>(input), ref hello, out _) == ClientHelloStatus.Complete)
        {
            Check(hello.ServerName.Length <= ClientHello.MaxServerNameLength, "server name past its bound");
        }
    }

    // The transparent HTTP listener's first look: HTTP, not HTTP, or not yet decidable.
    private static void HttpPeek(byte[] input) => HttpRequestProbe.Probe(new ReadOnlySequence<byte>(input));

    // A DNS query datagram from a sandbox (RFC 1035 §4.1).
    private static void DnsQuery(byte[] input)
    {
        byte[] name = new byte[DnsQueryReader.MaxNameLength];
        if (DnsQueryReader.TryRead(input, name, out DnsQuery query, out _) == DnsParseStatus.Complete)
        {
            Check(query.NameLength >= 0 && query.NameLength <= DnsQueryReader.MaxNameLength, "name length out of range");
            Check(query.QuestionEnd >= DnsQueryReader.HeaderLength && query.QuestionEnd <= input.Length, "question end out of range");
        }
    }

    // What a customer's SOCKS5 proxy answers (RFC 1928 §6, RFC 1929 §2).
    private static void Socks5Replies(byte[] input)
    {
        Socks5Frames.TryReadMethodChoice(input, out _, out _);
        Socks5Frames.TryReadAuthStatus(input, out _, out _);
        if (Socks5Frames.TryReadReply(input, out _, out int length, out _) == Socks5ParseStatus.Complete)
        {
            Check(length > 0 && length <= input.Length, "reply length out of range");
        }
    }

    // The authority of an absolute-form request on the forward port (RFC 9112 §3.2.2).
    private static void AbsoluteFormAuthority(byte[] input)
    {
        string target = "http://" + Encoding.Latin1.GetString(input);
        if (Gateway.Protocols.AbsoluteFormAuthority.TryParse(target, out string host, out int port))
        {
            Check(port is >= 1 and <= 65535, "port out of range");
            Check(!host.Contains('@', StringComparison.Ordinal), "userinfo accepted");
        }
    }

    // A rule pattern from a kit or the CLI: what parses prints back to something that parses the same.
    private static void RulePattern(byte[] input)
    {
        string text = Encoding.UTF8.GetString(input);
        if (PatternParser.TryParse(text, out RulePattern? pattern, out _))
        {
            Check(PatternParser.TryParse(pattern!.Text, out RulePattern? again, out _) && again!.Text == pattern.Text, "pattern text is not a fixed point");
        }
    }

    private static void Check(bool condition, string what)
    {
        if (!condition)
        {
            throw new InvalidOperationException("fuzz contract broken: " + what);
        }
    }
}
