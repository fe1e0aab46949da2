using System.Globalization;
using System.Net;
using Gateway.Decisions;
using Gateway.Listeners;
using Gateway.Tests.Dns;
using Gateway.Tests.Listeners;
using Gateway.Tests.Protocols;
using static Gateway.Tests.Decisions.RefusalClients;

namespace Gateway.Tests.Decisions;

/// <summary>
/// An address that belongs to no sandbox is refused on every listener, and each refusal is on the
/// record as <c>unknown-sandbox</c>. Loopback clients are the sandbox <c>host</c>, so the client
/// runs in a network namespace this test creates (10.209.0.0/16 only), as a real sandbox would.
/// </summary>
public sealed class UnknownSandboxTests
{
    // Speaks one payload to one address inside the namespace and prints what came back (hex), or the RCODE for UDP.
    private const string Client = """
        import socket, sys
        kind, host, port, payload = sys.argv[1], sys.argv[2], int(sys.argv[3]), bytes.fromhex(sys.argv[4])
        if kind == "udp":
            s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); s.settimeout(20); s.sendto(payload, (host, port))
            print(s.recvfrom(4096)[0][3] & 15)
        else:
            s = socket.create_connection((host, port), timeout=20); s.sendall(payload); data = b""
            while True:
                try:
                    chunk = s.recv(4096)
                except (ConnectionResetError, socket.timeout):
                    break
                if not chunk:
                    break
                data += chunk
                if data.startswith(b"HTTP/") and b"\r\n\r\n" in data:
                    break  # the head is all that is asked for; a kept-alive connection would wait
            print(data[:16].hex())
        """;

    [RootNetworkFact]
    public async Task AClientOfNoSandbox_IsRefusedOnEveryListener_AsUnknownSandbox()
    {
        int net = Random.Shared.Next(64, 128);
        int quad = Random.Shared.Next(1, 60) * 4;
        string suffix = net.ToString(CultureInfo.InvariantCulture) + quad.ToString(CultureInfo.InvariantCulture);
        string ns = "gwu" + suffix, hostSide = "gwuh" + suffix, sandboxSide = "gwus" + suffix;
        string hostAddress = $"10.209.{net}.{quad + 1}";
        string strangerAddress = $"10.209.{net}.{quad + 2}";
        try
        {
            await RunAsync("ip", "netns", "add", ns);
            await RunAsync("ip", "link", "add", hostSide, "type", "veth", "peer", "name", sandboxSide);
            await RunAsync("ip", "link", "set", sandboxSide, "netns", ns);
            await RunAsync("ip", "addr", "add", hostAddress + "/30", "dev", hostSide);
            await RunAsync("ip", "link", "set", hostSide, "up");
            await RunAsync("ip", "netns", "exec", ns, "ip", "addr", "add", strangerAddress + "/30", "dev", sandboxSide);
            await RunAsync("ip", "netns", "exec", ns, "ip", "link", "set", sandboxSide, "up");

            var bound = new IPEndPoint(IPAddress.Parse(hostAddress), 0);
            await using GatewayUnderTest gateway = await GatewayUnderTest.StartAsync(
                [["policy", "set-default", "allow-all"]],
                config => config with
                {
                    Listen = config.Listen with { Forward = bound, TransparentHttp = bound, TransparentTls = bound, Dns = bound },
                    Audit = config.Audit with { RefusalBurst = 10_000 },
                });
            int forward = gateway.PortOf(ListenerKind.Forward)!.Value;
            int http = gateway.PortOf(ListenerKind.TransparentHttp)!.Value;
            int tls = gateway.PortOf(ListenerKind.TransparentTls)!.Value;
            int dns = RefusalTableTests.DnsPort(gateway);
            RefusalTableTests.Row[] rows =
            [
                new("CONNECT", ListenerKind.Forward, EgressReason.UnknownSandbox, 403,
                    async () => Assert.Equal("403", HttpStatus(await SpeakAsync(ns, "tcp", hostAddress, forward, Ascii("CONNECT api.example.test:443 HTTP/1.1\r\n\r\n"))))),
                new("absolute-form", ListenerKind.Forward, EgressReason.UnknownSandbox, 403,
                    async () => Assert.Equal("403", HttpStatus(await SpeakAsync(ns, "tcp", hostAddress, forward, Ascii("GET http://api.example.test/ HTTP/1.1\r\nHost: api.example.test\r\n\r\n"))))),
                new("transparent HTTP", ListenerKind.TransparentHttp, EgressReason.UnknownSandbox, 403,
                    async () => Assert.Equal("403", HttpStatus(await SpeakAsync(ns, "tcp", hostAddress, http, Ascii("GET / HTTP/1.1\r\nHost: api.example.test\r\n\r\n"))))),
                new("transparent TLS", ListenerKind.TransparentTls, EgressReason.UnknownSandbox, 403,
                    async () => Assert.StartsWith("15", await SpeakAsync(ns, "tcp", hostAddress, tls, ClientHelloBuilder.Tls13("api.example.test").Build()), StringComparison.Ordinal)),
                new("DNS", ListenerKind.Dns, EgressReason.UnknownSandbox, 5,
                    async () => Assert.Equal("5", await SpeakAsync(ns, "udp", hostAddress, dns, DnsTestMessages.Query("api.example.test")))),
            ];

            await RefusalTableTests.RunAsync(gateway, rows);
            Assert.All(AuditLines.Read(Path.Combine(gateway.StateDir, "audit.jsonl")), e => Assert.Equal("unknown", e.GetProperty("sandbox").GetString()));
        }
        finally
        {
            await RunAsync("ip", "link", "del", hostSide);
            await RunAsync("ip", "netns", "del", ns);
        }
    }

    private static string HttpStatus(string hex) =>
        hex.Length >= 24 ? System.Text.Encoding.ASCII.GetString(Convert.FromHexString(hex[..24]))[9..12] : hex;

    private static async Task<string> SpeakAsync(string ns, string kind, string host, int port, byte[] payload)
    {
        (int exit, string output) = await RunAsync(
            "ip", "netns", "exec", ns, "/usr/bin/python3", "-c", Client, kind, host, port.ToString(CultureInfo.InvariantCulture), Convert.ToHexString(payload));
        Assert.True(exit == 0, output);
        return output.Trim();
    }

    private static async Task<(int Exit, string Output)> RunAsync(string file, params string[] args)
    {
        var (exit, stdout, stderr) = await ProcessRunner.RunAsync(file, args).WaitAsync(TimeSpan.FromSeconds(60));
        return (exit, stdout + stderr);
    }
}
