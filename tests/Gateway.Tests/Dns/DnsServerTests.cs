using System.Buffers.Binary;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using Gateway.Dns;
using Gateway.Tests.Listeners;
using Microsoft.Extensions.DependencyInjection;
using static Gateway.Tests.Dns.DnsTestMessages;

namespace Gateway.Tests.Dns;

/// <summary>Issue 6 items 5 and 6: the resolver in the real daemon, on 127.0.0.1 at port 0, over UDP and TCP, and with dig.</summary>
public sealed class DnsServerTests : IAsyncLifetime
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);
    private GatewayUnderTest _gateway = null!;
    private int _port;

    public async Task InitializeAsync()
    {
        _gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"], ["policy", "allow", "network", "plain.example.test:80"]],
            config => config with { Listen = config.Listen with { Dns = new IPEndPoint(IPAddress.Loopback, 0) } });
        _port = _gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;
    }

    public async Task DisposeAsync() => await _gateway.DisposeAsync();

    [Fact]
    public async Task ConfiguredAnswerAddress_WinsOverTheArrivalAddress()
    {
        await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
            [["policy", "set-default", "deny-all"], ["policy", "allow", "network", "api.example.test"]],
            config => config with
            {
                Listen = config.Listen with { Dns = new IPEndPoint(IPAddress.Loopback, 0) },
                Dns = new Gateway.Configuration.DnsConfig(IPAddress.Parse("10.209.0.1")), // data only: nothing is sent there
            });
        int port = _port;
        _port = gateway.Services.GetRequiredService<DnsServer>().EndPoint!.Port;
        try
        {
            DecodedResponse answer = await UdpAsync(Query("api.example.test", id: 11));

            Assert.Equal((11, 0, 1), (answer.Id, answer.Rcode, answer.Answers));
            Assert.Equal(IPAddress.Parse("10.209.0.1").GetAddressBytes(), answer.Records[0].Data);
        }
        finally
        {
            _port = port;
        }
    }

    [Fact]
    public async Task AllowedA_IsTheGatewaysAddressOnTheQueryLink()
    {
        DecodedResponse answer = await UdpAsync(Query("api.example.test", id: 7));
        Assert.Equal((7, 0, 1), (answer.Id, answer.Rcode, answer.Answers));
        Assert.Equal(IPAddress.Loopback.GetAddressBytes(), answer.Records[0].Data);
        Assert.Equal(30u, answer.Records[0].Ttl);
    }

    [Fact]
    public async Task NameAllowedOnlyOnPort80_StillResolves()
    {
        DecodedResponse answer = await UdpAsync(Query("plain.example.test"));
        Assert.Equal((0, 1), (answer.Rcode, answer.Answers));
    }

    [Fact]
    public async Task AllowedAaaa_OnAnIpv4Link_IsNoErrorWithoutAnswer()
    {
        DecodedResponse answer = await UdpAsync(Query("api.example.test", DnsType.Aaaa, edns: true));
        Assert.Equal((0, 0, 1), (answer.Rcode, answer.Answers, answer.Additional));
    }

    [Theory]
    [InlineData("other.example.test", DnsType.A, 3)] // dns.blocked: nxdomain, the default
    [InlineData("other.example.test", DnsType.Aaaa, 3)]
    [InlineData("api.example.test", (ushort)16, 5)] // TXT: an exfiltration channel
    [InlineData("api.example.test", (ushort)255, 5)] // ANY
    [InlineData(".", DnsType.A, 5)]
    public async Task BlockedNamesAreNxDomain_AndOtherTypesAreRefused(string name, ushort type, int rcode)
    {
        DecodedResponse answer = await UdpAsync(Query(name, type));
        Assert.Equal((rcode, 0), (answer.Rcode, answer.Answers));
    }

    [Fact]
    public async Task RootSoa_IsAnswered()
    {
        DecodedResponse answer = await UdpAsync(Query(".", DnsType.Soa));
        Assert.Equal((0, DnsType.Soa), (answer.Rcode, Assert.Single(answer.Records).Type));
    }

    [Fact]
    public async Task Malformed_IsFormErr_AndACompressionLoopDoesNotStopTheServer()
    {
        DecodedResponse malformed = await UdpAsync([.. Query("api.example.test", id: 9), 0xFF]);
        Assert.Equal((9, 1), (malformed.Id, malformed.Rcode));
        DecodedResponse loop = await UdpAsync(Hex("4242 0100 0001 0000 0000 0000 0361 7069 c00c 0001 0001"));
        Assert.Equal((0x4242, 1), (loop.Id, loop.Rcode));
        DecodedResponse after = await UdpAsync(Query("api.example.test", id: 10));
        Assert.Equal((10, 0, 1), (after.Id, after.Rcode, after.Answers));
    }

    [Fact]
    public async Task Tcp_AnswersSeveralQueriesOnOneConnection()
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        using var cancel = new CancellationTokenSource(Timeout);
        await client.ConnectAsync(new IPEndPoint(IPAddress.Loopback, _port), cancel.Token);
        foreach ((string name, int rcode) in new[] { ("api.example.test", 0), ("other.example.test", 3), ("API.EXAMPLE.TEST", 0) })
        {
            byte[] query = Query(name, edns: true);
            byte[] framed = new byte[query.Length + 2];
            BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
            query.CopyTo(framed, 2);
            await client.SendAsync(framed, SocketFlags.None, cancel.Token);
            byte[] length = new byte[2];
            await ReadExactlyAsync(client, length, cancel.Token);
            byte[] message = new byte[BinaryPrimitives.ReadUInt16BigEndian(length)];
            await ReadExactlyAsync(client, message, cancel.Token);
            DecodedResponse answer = Decode(message);
            Assert.Equal((rcode, name), (answer.Rcode, answer.Question));
        }
    }

    [Fact]
    public async Task EveryQuery_IsAudited_WithTheRcodeAsStatus()
    {
        await UdpAsync(Query("api.example.test"));
        await UdpAsync(Query("other.example.test"));
        await UdpAsync([.. Query("api.example.test", id: 9), 0xFF]);
        await _gateway.StopAsync();
        string[] lines = await File.ReadAllLinesAsync(Path.Combine(_gateway.StateDir, "audit.jsonl"));
        List<JsonElement> events = [.. lines.Select(l => JsonDocument.Parse(l).RootElement)];
        Assert.Equal(3, events.Count);
        Assert.All(events, e => Assert.Equal(("dns", "host"), (e.GetProperty("proxy").GetString(), e.GetProperty("sandbox").GetString())));
        Assert.Equal(("api.example.test", "allowed", 0), Fields(events[0]));
        Assert.Equal(("other.example.test", "blocked", 3), Fields(events[1]));
        Assert.Equal(("-", "blocked", 1), Fields(events[2]));
        Assert.Equal("dns-malformed", events[2].GetProperty("rule").GetString());

        static (string?, string?, int) Fields(JsonElement e) =>
            (e.GetProperty("host").GetString(), e.GetProperty("decision").GetString(), e.GetProperty("status").GetInt32());
    }

    [DigFact]
    public async Task Dig_ResolvesAllowed_AndBlockedIsNxDomain()
    {
        (int exit, string output) = await Dig.RunAsync($"@127.0.0.1 -p {_port} api.example.test A +tries=1 +time=2");
        Assert.True(exit == 0, output);
        Assert.Contains("status: NOERROR", output, StringComparison.Ordinal);
        Assert.Matches(@"api\.example\.test\.\s+30\s+IN\s+A\s+127\.0\.0\.1", output);
        Assert.DoesNotContain("recursion requested but not available", output, StringComparison.Ordinal);

        (_, output) = await Dig.RunAsync($"@127.0.0.1 -p {_port} other.example.test A +tries=1 +time=2");
        Assert.Contains("status: NXDOMAIN", output, StringComparison.Ordinal);

        (exit, output) = await Dig.RunAsync($"@127.0.0.1 -p {_port} api.example.test A +tcp +tries=1 +time=2");
        Assert.True(exit == 0, output);
        Assert.Matches(@"IN\s+A\s+127\.0\.0\.1", output);
    }

    private async Task<DecodedResponse> UdpAsync(byte[] query)
    {
        using var client = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
        using var cancel = new CancellationTokenSource(Timeout);
        await client.SendToAsync(query, SocketFlags.None, new IPEndPoint(IPAddress.Loopback, _port), cancel.Token);
        byte[] buffer = new byte[4096];
        int received = await client.ReceiveAsync(buffer, SocketFlags.None, cancel.Token);
        return Decode(buffer.AsSpan(0, received));
    }

    private static async Task ReadExactlyAsync(Socket socket, Memory<byte> buffer, CancellationToken cancellation)
    {
        while (!buffer.IsEmpty)
        {
            int read = await socket.ReceiveAsync(buffer, SocketFlags.None, cancellation);
            Assert.True(read > 0, "the server closed the connection");
            buffer = buffer[read..];
        }
    }
}
