using System.Net;
using Gateway.Tests.Listeners;

namespace Security.Tests.Harness;

/// <summary>
/// "The daemon survives and nothing leaks": after a hostile case, a normal request on a fresh
/// connection is answered, and with exactly its own bytes.
/// </summary>
internal static class Survival
{
    /// <summary>A CONNECT tunnel to the upstream's plain port, then one GET through it, answered exactly.</summary>
    public static async Task AssertTunnelWorksAsync(int proxyPort, int upstreamHttpPort, string host = "api.example.test", string? connectHost = null)
    {
        using RawClient client = await RawClient.ConnectAsync(proxyPort);
        connectHost ??= host;
        await client.SendAsync($"CONNECT {connectHost}:{upstreamHttpPort} HTTP/1.1\r\nHost: {connectHost}:{upstreamHttpPort}\r\n\r\n");
        (int status, string head, _) = await client.ReadResponseAsync();
        Assert.True(status == 200, head);
        await client.SendAsync($"GET / HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n");
        (int inner, _, string body) = await client.ReadResponseAsync();
        Assert.Equal(200, inner);
        Assert.Equal($"hello from {host}", body);
    }

    /// <summary>An absolute-form GET on a fresh connection, answered exactly.</summary>
    public static async Task AssertAbsoluteFormWorksAsync(int proxyPort, int upstreamHttpPort, string host = "api.example.test")
    {
        using RawClient client = await RawClient.ConnectAsync(proxyPort);
        await client.SendAsync($"GET http://{host}:{upstreamHttpPort}/ HTTP/1.1\r\nHost: {host}:{upstreamHttpPort}\r\nConnection: close\r\n\r\n");
        (int status, string head, string body) = await client.ReadResponseAsync();
        Assert.True(status == 200, head);
        Assert.Equal($"hello from {host}", body);
    }

    /// <summary>Sends raw bytes on a fresh connection and returns everything the gateway sent back before closing (bounded).</summary>
    public static async Task<byte[]> ExchangeAsync(int port, byte[] request, TimeSpan? wait = null)
    {
        using var socket = new System.Net.Sockets.Socket(System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Tcp);
        using var cts = new CancellationTokenSource(wait ?? TimeSpan.FromSeconds(20));
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port), cts.Token);
        try
        {
            await socket.SendAsync(request, System.Net.Sockets.SocketFlags.None, cts.Token);
        }
        catch (System.Net.Sockets.SocketException)
        {
            // The gateway may close while a large request is still being sent: that is a refusal too.
        }

        var received = new MemoryStream();
        byte[] buffer = new byte[16 * 1024];
        try
        {
            int n;
            while ((n = await socket.ReceiveAsync(buffer, System.Net.Sockets.SocketFlags.None, cts.Token)) > 0)
            {
                received.Write(buffer, 0, n);
            }
        }
        catch (System.Net.Sockets.SocketException)
        {
            // Reset after a refusal: what arrived before it is the answer.
        }

        return received.ToArray();
    }
}
