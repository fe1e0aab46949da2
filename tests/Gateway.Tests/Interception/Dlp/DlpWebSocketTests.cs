using System.Net;
using System.Net.Security;
using System.Net.WebSockets;
using System.Security.Cryptography.X509Certificates;
using System.Text;

namespace Gateway.Tests.Interception.Dlp;

/// <summary>
/// Issue 21 point 2: WebSocket text messages after an upgrade on an inspected host are scanned; a token split
/// across two frames ends the connection before the origin echoes it, audited as dlp:&lt;pattern&gt;.
/// </summary>
public sealed class DlpWebSocketTests : IAsyncLifetime
{
    private DlpGateway _env = null!;

    public async Task InitializeAsync() => _env = await DlpGateway.StartAsync("held-Secret-ws-0c1d2e");

    public async Task DisposeAsync() => await _env.DisposeAsync();

    [Fact]
    public async Task ATokenSplitAcrossTextFrames_EndsTheConnection_AndIsAudited()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        using var invoker = new HttpMessageInvoker(Handler());
        using var socket = new ClientWebSocket();
        await socket.ConnectAsync(new Uri($"wss://other.example.test:{_env.Upstream.Port}/ws"), invoker, timeout.Token);
        byte[] buffer = new byte[1024];

        // Ordinary messages go through.
        await socket.SendAsync("hello"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);
        WebSocketReceiveResult echoed = await socket.ReceiveAsync(buffer, timeout.Token);
        Assert.Equal("hello", Encoding.UTF8.GetString(buffer, 0, echoed.Count));

        string token = DlpCases.GithubClassic;
        await socket.SendAsync(Encoding.ASCII.GetBytes("my token is " + token[..10]), WebSocketMessageType.Text, endOfMessage: false, timeout.Token);
        await socket.SendAsync(Encoding.ASCII.GetBytes(token[10..] + " ok"), WebSocketMessageType.Text, endOfMessage: true, timeout.Token);

        // The gateway ends the connection: the echo of the token never arrives.
        var received = new StringBuilder();
        try
        {
            while (true)
            {
                WebSocketReceiveResult result = await socket.ReceiveAsync(buffer, timeout.Token);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                received.Append(Encoding.ASCII.GetString(buffer, 0, result.Count));
            }
        }
        catch (OperationCanceledException)
        {
            Assert.Fail("the connection was not ended; received: " + received);
        }
        catch (WebSocketException)
        {
            // The connection was cut: what a refused relay looks like from the client.
        }

        Assert.DoesNotContain(token, received.ToString(), StringComparison.Ordinal);
        var (audit, metrics, logs) = await _env.StopAndReadAsync();
        Assert.Contains("\"ruleId\":\"dlp:github-token\"", audit, StringComparison.Ordinal);
        Assert.Contains("gateway_dlp_hits_total{pattern=\"github_token\"} 1", metrics, StringComparison.Ordinal);
        Assert.DoesNotContain(token, audit + logs, StringComparison.Ordinal);
    }

    private SocketsHttpHandler Handler()
    {
        X509Certificate2 gatewayCa = X509CertificateLoader.LoadCertificateFromFile(_env.GatewayCaPath);
        return new SocketsHttpHandler
        {
            Proxy = new WebProxy(_env.Gateway.ProxyUrl),
            UseProxy = true,
            SslOptions = new SslClientAuthenticationOptions
            {
                RemoteCertificateValidationCallback = (_, certificate, _, errors) =>
                {
                    if (certificate is null || (errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
                    {
                        return false;
                    }

                    using var chain = new X509Chain();
                    chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
                    chain.ChainPolicy.CustomTrustStore.Add(gatewayCa);
                    chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
                    return chain.Build(new X509Certificate2(certificate));
                },
            },
        };
    }
}
