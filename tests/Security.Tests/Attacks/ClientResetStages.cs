using System.Buffers.Binary;
using System.Net.Security;
using Gateway.Tests.Dns;
using Gateway.Tests.Protocols;
using Security.Tests.Harness;

namespace Security.Tests.Attacks;

/// <summary>
/// Every stage at which a client can vanish, on every listener of the daemon and inside intercepted
/// HTTP/1.1 and HTTP/2: each stage walks one connection that far and resets it (RST, no FIN).
/// </summary>
/// <param name="ports">The daemon's listeners.</param>
/// <param name="interceptedPort">The TLS upstream behind the intercepted name.</param>
/// <param name="echoPort">A TCP echo server behind the relayed name.</param>
/// <param name="httpPort">The plain HTTP upstream behind the relayed name.</param>
internal sealed class ClientResetStages(ClientResetPorts ports, int interceptedPort, int echoPort, int httpPort)
{
    /// <summary>Intercepted: a kit of the sandbox has an L7 rule for it.</summary>
    public const string Intercepted = "api.example.test";

    /// <summary>Allowed and relayed untouched.</summary>
    public const string Relayed = "other.example.test";

    private const string Big = "/chunked/50000000";

    /// <summary>
    /// Each stage twice: reset at once (racing the gateway's answer or its next step), and reset
    /// after the gateway has had the time to read what was sent and wait for more (a reset then
    /// fails a pending read, the path issue 17's repro took).
    /// </summary>
    public IEnumerable<(string Name, Func<Task> Run)> All()
    {
        foreach ((string name, Func<ResettingClient, Task> walk, int port) in Stages())
        {
            yield return (name + " (reset at once)", () => Reset(port, walk, settle: false));
            yield return (name + " (reset while the gateway waits)", () => Reset(port, walk, settle: true));
        }
    }

    private IEnumerable<(string Name, Func<ResettingClient, Task> Walk, int Port)> Stages()
    {
        // Forward listener, L4: the CONNECT head and the tunnel.
        yield return ("forward: one byte of a CONNECT head", c => c.SendAsync("C"), ports.Forward);
        yield return ("forward: CONNECT request line without the blank line (issue 17's repro)", c => c.SendAsync("CONNECT a.example.test:443 HTTP/1.1\r\n"), ports.Forward);
        yield return ("forward: complete CONNECT head, reset before the answer", c => c.SendAsync($"CONNECT {Relayed}:{echoPort} HTTP/1.1\r\n\r\n"), ports.Forward);
        yield return ("forward: refused CONNECT, reset before the 403", c => c.SendAsync("CONNECT refused.example.test:443 HTTP/1.1\r\n\r\n"), ports.Forward);
        yield return ("forward: mid-tunnel", async c =>
        {
            await c.ConnectThroughAsync(Relayed, echoPort);
            await c.SendAsync("ping");
            await c.ReadUntilAsync("ping");
            await c.SendAsync("unanswered");
        }, ports.Forward);

        // Forward listener, L7: absolute-form requests through Kestrel's HTTP stack.
        yield return ("forward: mid-head of an absolute-form request", c => c.SendAsync($"GET http://{Relayed}:{httpPort}/ HTTP/1.1\r\nHo"), ports.Forward);
        yield return ("forward: mid-body of an absolute-form upload", c => c.SendAsync(
            $"POST http://{Relayed}:{httpPort}/sink HTTP/1.1\r\nHost: {Relayed}:{httpPort}\r\nContent-Length: 10000000\r\n\r\n" + new string('u', 65536)), ports.Forward);
        yield return ("forward: mid-response of an absolute-form download", async c =>
        {
            await c.SendAsync($"GET http://{Relayed}:{httpPort}/bytes/50000000 HTTP/1.1\r\nHost: {Relayed}:{httpPort}\r\n\r\n");
            await c.ReadAtLeastAsync(64 * 1024);
        }, ports.Forward);

        // Forward listener, intercepted: the gateway's own TLS handshake, then HTTP/1.1 and HTTP/2.
        yield return ("forward, intercepted: part of a ClientHello", async c =>
        {
            await c.ConnectThroughAsync(Intercepted, interceptedPort);
            await c.SendAsync(Hello(Intercepted)[..40]);
        }, ports.Forward);
        yield return ("forward, intercepted: whole ClientHello, reset mid-handshake", async c =>
        {
            await c.ConnectThroughAsync(Intercepted, interceptedPort);
            await c.SendAsync(Hello(Intercepted));
            await c.ReadAtLeastAsync(5); // the server's first flight has begun
        }, ports.Forward);
        foreach ((string name, Func<ResettingClient, Task> stage) in InterceptedStages())
        {
            yield return ("forward, intercepted " + name, async c =>
            {
                await c.ConnectThroughAsync(Intercepted, interceptedPort);
                await stage(c);
            }, ports.Forward);
        }

        // Transparent TLS: the SNI peek, a relayed connection, an intercepted one.
        yield return ("transparent TLS: part of a ClientHello", c => c.SendAsync(Hello(Relayed)[..40]), ports.TransparentTls);
        yield return ("transparent TLS: relayed, reset after the ClientHello", c => c.SendAsync(Hello(Relayed)), ports.TransparentTls);
        yield return ("transparent TLS, intercepted: whole ClientHello, reset mid-handshake", async c =>
        {
            await c.SendAsync(Hello(Intercepted));
            await c.ReadAtLeastAsync(5);
        }, ports.TransparentTls);
        foreach ((string name, Func<ResettingClient, Task> stage) in InterceptedStages())
        {
            yield return ("transparent TLS, intercepted " + name, stage, ports.TransparentTls);
        }

        // Transparent HTTP.
        yield return ("transparent HTTP: mid-head", c => c.SendAsync($"GET / HTTP/1.1\r\nHost: {Relayed}\r\nAcc"), ports.TransparentHttp);
        yield return ("transparent HTTP: mid-body", c => c.SendAsync(
            $"POST /sink HTTP/1.1\r\nHost: {Relayed}\r\nContent-Length: 10000000\r\n\r\n" + new string('u', 65536)), ports.TransparentHttp);
        yield return ("transparent HTTP: mid-response", async c =>
        {
            await c.SendAsync($"GET /bytes/50000000 HTTP/1.1\r\nHost: {Relayed}\r\n\r\n");
            await c.ReadAtLeastAsync(64 * 1024);
        }, ports.TransparentHttp);

        // DNS over TCP (RFC 1035 §4.2.2: a two-byte length, then the message).
        byte[] query = DnsTestMessages.Query(Relayed);
        byte[] framed = new byte[query.Length + 2];
        BinaryPrimitives.WriteUInt16BigEndian(framed, (ushort)query.Length);
        query.CopyTo(framed, 2);
        yield return ("dns/tcp: one byte of the length", c => c.SendAsync(framed[..1]), ports.Dns);
        yield return ("dns/tcp: mid-query", c => c.SendAsync(framed[..(framed.Length / 2)]), ports.Dns);
        yield return ("dns/tcp: whole query, reset before the answer", c => c.SendAsync(framed), ports.Dns);

        // Metrics.
        yield return ("metrics: mid-head", c => c.SendAsync("GET /metrics HTTP/1.1\r\nHo"), ports.Metrics);
        yield return ("metrics: reset before the response", c => c.SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n"), ports.Metrics);
        yield return ("metrics: mid-response", async c =>
        {
            await c.SendAsync("GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n");
            await c.ReadAtLeastAsync(100);
        }, ports.Metrics);
    }

    // After the CONNECT (forward) or from the first byte (transparent): TLS with the gateway, then
    // a request cut at each stage.
    private IEnumerable<(string Name, Func<ResettingClient, Task> Stage)> InterceptedStages()
    {
        string authority = $"{Intercepted}:{interceptedPort}";
        yield return ("HTTP/1.1: reset after the handshake", c => c.HandshakeAsync(Intercepted, SslApplicationProtocol.Http11));
        yield return ("HTTP/1.1: mid-head", async c =>
        {
            await c.HandshakeAsync(Intercepted, SslApplicationProtocol.Http11);
            await c.SendAsync($"GET / HTTP/1.1\r\nHost: {authority}\r\nAcc");
        });
        yield return ("HTTP/1.1: mid-body", async c =>
        {
            await c.HandshakeAsync(Intercepted, SslApplicationProtocol.Http11);
            await c.SendAsync($"POST /sink HTTP/1.1\r\nHost: {authority}\r\nContent-Length: 10000000\r\n\r\n" + new string('u', 65536));
        });
        yield return ("HTTP/1.1: mid-response", async c =>
        {
            await c.HandshakeAsync(Intercepted, SslApplicationProtocol.Http11);
            await c.SendAsync($"GET {Big} HTTP/1.1\r\nHost: {authority}\r\n\r\n");
            await c.ReadAtLeastAsync(32 * 1024);
        });
        yield return ("HTTP/2: mid-preface", async c =>
        {
            await c.HandshakeAsync(Intercepted, SslApplicationProtocol.Http2);
            await c.SendAsync("PRI * HTTP/2.0\r\n");
        });
        yield return ("HTTP/2: mid-head", async c =>
        {
            await c.HandshakeAsync(Intercepted, SslApplicationProtocol.Http2);
            await c.StartHttp2Async();
            await c.SendHttp2HeadersAsync("GET", authority, "/", endStream: true, endHeaders: false);
        });
        yield return ("HTTP/2: mid-body", async c =>
        {
            await c.HandshakeAsync(Intercepted, SslApplicationProtocol.Http2);
            await c.StartHttp2Async();
            await c.SendHttp2HeadersAsync("POST", authority, "/sink", endStream: false, extra: [("content-length", "10000000")]);
            await c.SendAsync(RawHttp2Connection.Frame(RawHttp2Connection.Data, 0, 1, new byte[16 * 1024]));
        });
        yield return ("HTTP/2: mid-response", async c =>
        {
            await c.HandshakeAsync(Intercepted, SslApplicationProtocol.Http2);
            await c.StartHttp2Async();
            await c.SendHttp2HeadersAsync("GET", authority, Big, endStream: true);
            await c.ReadAtLeastAsync(32 * 1024);
        });
    }

    private static byte[] Hello(string host) => ClientHelloBuilder.Tls13(host, "http/1.1").Build();

    private static async Task Reset(int port, Func<ResettingClient, Task> walk, bool settle)
    {
        using ResettingClient client = await ResettingClient.ConnectAsync(port);
        await walk(client);
        if (settle)
        {
            await Task.Delay(200);
        }

        client.Reset();
    }
}
