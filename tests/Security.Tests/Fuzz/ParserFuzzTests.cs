using System.Buffers;
using System.Text;
using CsCheck;
using Gateway.Dns;
using Gateway.Listeners;
using Gateway.Protocols;
using Gateway.Tests.Dns;
using Gateway.Tests.Protocols;
using PolicyCompiler.Hosts;
using PolicyCompiler.Kits;
using PolicyCompiler.Patterns;
using Xunit.Abstractions;

namespace Security.Tests.Fuzz;

/// <summary>
/// Property fuzzing of every parser that takes bytes or text from outside: no exception
/// escapes, what a parser accepts satisfies its contract, one segment or two give the same
/// answer, and the allocation-free readers allocate nothing on any input. Short by default;
/// tests/fuzz/run.sh runs each for 10^6 inputs.
/// </summary>
[Trait("Category", FuzzBudget.Category)]
public sealed class ParserFuzzTests(ITestOutputHelper output)
{
    private static readonly SearchValues<byte> s_neverInHost = SearchValues.Create("\0\t\n\r @/\\?#"u8);

    // Bytes a DNS name handed to the policy never carries: controls, space, DEL and above (a dot inside a label is refused too).
    private static readonly SearchValues<byte> s_neverInDnsName = SearchValues.Create([.. Enumerable.Range(0, 33).Select(b => (byte)b), .. Enumerable.Range(0x7F, 0x81).Select(b => (byte)b)]);

    private static ConnectHead s_head;
    private static ClientHello s_hello;

    [Fact]
    public void ConnectRequestHead()
    {
        byte[][] corpus =
        [
            "CONNECT api.example.test:443 HTTP/1.1\r\nHost: api.example.test:443\r\n\r\n"u8.ToArray(),
            "CONNECT [::1]:8443 HTTP/1.0\r\nProxy-Authorization: Basic YWdlbnQ6c2VjcmV0\r\nUser-Agent: curl/8\r\n\r\ntunnel bytes"u8.ToArray(),
            "CONNECT 127.0.0.1:80 HTTP/1.1\r\nX-Long: "u8.ToArray().Concat(Enumerable.Repeat((byte)'a', 400)).Concat("\r\nContent-Length: 0\r\n\r\n"u8.ToArray()).ToArray(),
            "GET http://api.example.test/ HTTP/1.1\r\nHost: api.example.test\r\n\r\n"u8.ToArray(),
        ];
        Warm(corpus, b => ReadConnect(new ReadOnlySequence<byte>(b), out _, out _));
        FuzzBudget.Run("connect-head", Mutator.WithSplit(Mutator.Inputs(corpus)), input =>
        {
            Assert.Equal(0, FuzzBudget.Allocated(() => ConnectRequestReader.TryRead(new ReadOnlySequence<byte>(input.Bytes), ref s_head, out _, out _)));
            ConnectParseStatus whole = ReadConnect(new ReadOnlySequence<byte>(input.Bytes), out string? host, out int port);
            if (whole == ConnectParseStatus.Complete)
            {
                Assert.InRange(port, 1, 65535);
                Assert.InRange(host!.Length, 1, ConnectHead.MaxHostLength);
                Assert.True(Encoding.Latin1.GetBytes(host).AsSpan().IndexOfAny(s_neverInHost) < 0, host);
            }

            ConnectParseStatus split = ReadConnect(TestSequenceSegment.Split(input.Bytes, input.Split), out string? splitHost, out int splitPort);
            Assert.Equal(whole, split);
            if (whole == ConnectParseStatus.Complete)
            {
                Assert.Equal(host, splitHost);
                Assert.Equal(port, splitPort);
            }
        }, output, Print);
    }

    [Fact]
    public void ClientHelloSni()
    {
        byte[][] corpus =
        [
            ClientHelloBuilder.Tls13("api.example.test", "h2").Build(),
            ClientHelloBuilder.ChromeLike("www.example.com").Build(),
            ClientHelloBuilder.Tls12("a.b.example.test").Build(100, 60),
            ClientHelloBuilder.Tls13("x").PaddedTo(600).Build(),
        ];
        Warm(corpus, b => ReadHello(new ReadOnlySequence<byte>(b), out _));
        FuzzBudget.Run("client-hello", Mutator.WithSplit(Mutator.Inputs(corpus, 2048)), input =>
        {
            Assert.Equal(0, FuzzBudget.Allocated(() => ClientHelloReader.TryRead(new ReadOnlySequence<byte>(input.Bytes), ref s_hello, out _)));
            ClientHelloStatus whole = ReadHello(new ReadOnlySequence<byte>(input.Bytes), out string? name);
            if (whole == ClientHelloStatus.Complete)
            {
                Assert.InRange(name!.Length, 0, ClientHello.MaxServerNameLength);
            }

            ClientHelloStatus split = ReadHello(TestSequenceSegment.Split(input.Bytes, input.Split), out string? splitName);
            Assert.Equal(whole, split);
            Assert.Equal(name, splitName);
        }, output, Print);
    }

    [Fact]
    public void DnsQueries()
    {
        byte[][] corpus =
        [
            DnsTestMessages.Query("api.example.test"),
            DnsTestMessages.Query("a.b.c.d.example.test", type: 28, edns: true),
            DnsTestMessages.Query(string.Join('.', Enumerable.Repeat(new string('a', 63), 3)) + ".example"),
            DnsTestMessages.Query("", type: 2),
        ];
        byte[] name = new byte[DnsQueryReader.MaxNameLength];
        Warm(corpus, b => DnsQueryReader.TryRead(b, name, out _, out _));
        FuzzBudget.Run("dns-query", Mutator.Inputs(corpus, 600), input =>
        {
            DnsParseStatus status = default;
            Gateway.Dns.DnsQuery query = default;
            long allocated = FuzzBudget.Allocated(() => status = DnsQueryReader.TryRead(input, name, out query, out _));
            Assert.Equal(0, allocated);
            if (status == DnsParseStatus.Complete)
            {
                Assert.InRange(query.NameLength, 0, DnsQueryReader.MaxNameLength);
                Assert.InRange(query.QuestionEnd, DnsQueryReader.HeaderLength, input.Length);
                Assert.True(name.AsSpan(0, query.NameLength).IndexOfAny(s_neverInDnsName) < 0, Encoding.Latin1.GetString(name, 0, query.NameLength));
            }
        }, output, Print);
    }

    [Fact]
    public void TransparentHttpPeek()
    {
        byte[][] corpus = ["GET / HTTP/1.1\r\nHost: a\r\n\r\n"u8.ToArray(), "CONNECT x:1 HTTP/1.1\r\n"u8.ToArray(), "SSH-2.0-OpenSSH\r\n"u8.ToArray(), [0x16, 3, 1, 0, 5]];
        Warm(corpus, b => HttpRequestProbe.Probe(new ReadOnlySequence<byte>(b)));
        FuzzBudget.Run("http-peek", Mutator.WithSplit(Mutator.Inputs(corpus, 64)), input =>
        {
            HttpProbeResult whole = default;
            long allocated = FuzzBudget.Allocated(() => whole = HttpRequestProbe.Probe(new ReadOnlySequence<byte>(input.Bytes)));
            Assert.Equal(0, allocated);
            Assert.Equal(whole, HttpRequestProbe.Probe(TestSequenceSegment.Split(input.Bytes, input.Split)));
            if (whole == HttpProbeResult.Http)
            {
                int space = input.Bytes.AsSpan().IndexOf((byte)' ');
                Assert.True(space > 0 && input.Bytes.AsSpan(0, space).IndexOfAnyExceptInRange((byte)'A', (byte)'Z') < 0);
            }
        }, output, Print);
    }

    [Fact]
    public void HostCanonicalisation()
    {
        byte[][] corpus =
        [
            "api.example.test"u8.ToArray(), "API.Example.TEST."u8.ToArray(), "127.0.0.1"u8.ToArray(), "[::ffff:127.0.0.1]"u8.ToArray(),
            "2001:db8::1"u8.ToArray(), "xn--bcher-kva.example"u8.ToArray(), "bücher.example"u8.ToArray(), "*.example.com"u8.ToArray(),
            "ＡＰＩ.example.test"u8.ToArray(), "a_b-c.d"u8.ToArray(),
        ];
        Span<byte> buffer = stackalloc byte[HostCanonicalizer.BufferSize];
        FuzzBudget.Run("host-canonicalizer", Mutator.Inputs(corpus, 300), input =>
        {
            string text = Encoding.UTF8.GetString(input);
            string? canonical = HostCanonicalizer.Canonicalize(text, out HostKind kind, out HostError error);
            Assert.Equal(canonical is null, error != HostError.None);
            if (canonical is null)
            {
                return;
            }

            // Canonical means a fixed point, in the alphabet of names or as an IP literal.
            Assert.Equal(canonical, HostCanonicalizer.Canonicalize(canonical, out HostKind again, out _));
            Assert.Equal(kind, again);
            Assert.InRange(canonical.Length, 1, HostCanonicalizer.MaxNameLength);
            if (kind == HostKind.Name)
            {
                Assert.True(canonical.AsSpan().IndexOfAnyExcept("abcdefghijklmnopqrstuvwxyz0123456789-._") < 0, canonical);
            }

            // Wire bytes and text agree for ASCII.
            if (Ascii.IsValid(input))
            {
                Assert.Equal(canonical, HostCanonicalizer.Canonicalize(input, out _, out _));
            }
        }, output, Print);
    }

    [Fact]
    public void RulePatterns()
    {
        byte[][] corpus =
        [
            "example.com"u8.ToArray(), "*.example.com:443"u8.ToArray(), "**"u8.ToArray(), "127.0.0.1:8080"u8.ToArray(),
            "[::1]:22"u8.ToArray(), "localhost:11434"u8.ToArray(), "bücher.example"u8.ToArray(), "*.co.uk"u8.ToArray(),
        ];
        FuzzBudget.Run("rule-pattern", Mutator.Inputs(corpus, 80), input =>
        {
            string text = Encoding.UTF8.GetString(input);
            if (PatternParser.TryParse(text, out RulePattern? pattern, out string? error))
            {
                // What a rule stores is parsed again when the store loads: it must round-trip.
                Assert.True(PatternParser.TryParse(pattern!.Text, out RulePattern? again, out _), pattern.Text);
                Assert.Equal(pattern, again);
            }
            else
            {
                Assert.False(string.IsNullOrWhiteSpace(error));
            }
        }, output, Print);
    }

    [Fact]
    public void KitYaml()
    {
        byte[][] corpus = [.. Directory.GetFiles(Path.Combine(AppContext.BaseDirectory, "testdata", "kits"), "*.yaml").Select(File.ReadAllBytes)];
        Assert.NotEmpty(corpus);
        FuzzBudget.Run("kit-yaml", Mutator.Inputs(corpus, 256), input =>
        {
            var errors = new List<KitError>();
            if (KitParser.TryParse(Encoding.UTF8.GetString(input), "fuzz/spec.yaml", out KitSpec? kit, errors))
            {
                Assert.NotNull(kit);
            }
            else
            {
                Assert.NotEmpty(errors);
            }
        }, output, Print, threads: Environment.ProcessorCount, divisor: FuzzBudget.KitDivisor);
    }

    private static ConnectParseStatus ReadConnect(ReadOnlySequence<byte> buffer, out string? host, out int port)
    {
        var head = default(ConnectHead);
        ConnectParseStatus status = ConnectRequestReader.TryRead(buffer, ref head, out _, out _);
        host = status == ConnectParseStatus.Complete ? Encoding.Latin1.GetString(head.Host) : null;
        port = head.Port;
        return status;
    }

    private static ClientHelloStatus ReadHello(ReadOnlySequence<byte> buffer, out string? name)
    {
        var hello = default(ClientHello);
        ClientHelloStatus status = ClientHelloReader.TryRead(buffer, ref hello, out _);
        name = status == ClientHelloStatus.Complete ? Encoding.Latin1.GetString(hello.ServerName) : null;
        return status;
    }

    private static void Warm(byte[][] corpus, Action<byte[]> parse)
    {
        foreach (byte[] seed in corpus)
        {
            parse(seed);
        }
    }

    private static string Print(byte[] bytes) => Convert.ToHexString(bytes);

    private static string Print((byte[] Bytes, int Split) input) => $"{Convert.ToHexString(input.Bytes)} split at {input.Split}";
}
