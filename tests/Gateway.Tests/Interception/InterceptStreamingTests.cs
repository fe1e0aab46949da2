using System.Net;
using System.Net.WebSockets;
using System.Text;

namespace Gateway.Tests.Interception;

/// <summary>Issue 7 item 3: WebSocket upgrades and server-sent events stream through an intercepted connection.</summary>
public sealed class InterceptStreamingTests : IAsyncLifetime
{
    private const string Secret = "s3cr3t-STREAM-22b7e1";
    private InterceptedGateway _env = null!;

    public async Task InitializeAsync() => _env = await InterceptedGateway.StartAsync(Secret);

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task WebSocket_EchoesThroughInterception_WithTheCredentialOnTheUpgrade()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var invoker = new HttpMessageInvoker(InterceptClients.Handler(_env));
        using var socket = new ClientWebSocket();

        await socket.ConnectAsync(new Uri($"wss://api.example.test:{_env.Upstream.Port}/ws"), invoker, timeout.Token);
        var received = new List<string>();
        byte[] buffer = new byte[1024];
        foreach (string message in (string[])["hello", "again"])
        {
            await socket.SendAsync(Encoding.UTF8.GetBytes(message), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
            WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, timeout.Token);
            received.Add(Encoding.UTF8.GetString(buffer, 0, result.Count));
        }

        await socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, timeout.Token);

        Assert.Equal(["hello", "again"], received);
        Assert.Equal("Bearer " + Secret, Assert.Single(_env.Upstream.For("/ws")).Headers["Authorization"]);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    public async Task ServerSentEvents_ArriveAsSent_NotBuffered(int major)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var client = new HttpClient(InterceptClients.Handler(_env));
        using var request = new HttpRequestMessage(HttpMethod.Get, $"https://api.example.test:{_env.Upstream.Port}/sse")
        {
            Version = new Version(major, major == 1 ? 1 : 0),
            VersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };

        using HttpResponseMessage response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        await using Stream body = await response.Content.ReadAsStreamAsync(timeout.Token);

        // The upstream holds its second event until the first has reached the client: a buffering
        // proxy would never deliver the first, and this read would time out.
        string first = await ReadUntilAsync(body, "data: one\n\n", timeout.Token);
        _env.Upstream.SseRelease.SetResult();
        string rest = await ReadUntilAsync(body, "data: two\n\n", timeout.Token);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(major, response.Version.Major);
        Assert.Equal("data: one\n\n", first);
        Assert.Equal("data: two\n\n", rest);
        Assert.Equal("text/event-stream", response.Content.Headers.ContentType?.MediaType);
    }

    private static async Task<string> ReadUntilAsync(Stream body, string expected, CancellationToken cancellation)
    {
        var text = new StringBuilder();
        byte[] buffer = new byte[256];
        while (!text.ToString().Contains(expected, StringComparison.Ordinal))
        {
            int read = await body.ReadAsync(buffer, cancellation);
            if (read == 0)
            {
                break;
            }

            text.Append(Encoding.UTF8.GetString(buffer, 0, read));
        }

        return text.ToString();
    }
}
