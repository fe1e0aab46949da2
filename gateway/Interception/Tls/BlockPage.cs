using System.Buffers;
using System.Globalization;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using Gateway.Configuration;
using Gateway.Interception.Certificates;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;

namespace Gateway.Interception.Tls;

/// <summary>
/// <c>listen.blockPage: true</c>: a TLS connection the policy refused on the transparent listener is
/// answered, instead of a bare TLS alert, with a handshake on a leaf from the local CA and one
/// HTTP/1.1 <c>403</c> whose body is the forward proxy's (host, rule, source, how to allow), so an
/// agent in a sandbox that trusts the gateway CA reads why. Only HTTP/1.1 is offered (ALPN), the
/// request head is read (bounded: 16 KiB, <c>limits.headerTimeout</c>) and discarded unanswered
/// upstream, and the connection closes after the answer. A client that does not trust the CA fails
/// its handshake: it was refused either way. Nothing is ever dialled.
/// </summary>
internal sealed partial class BlockPage(LeafCertificateCache leaves, GatewayConfig config, ILogger<BlockPage> logger)
{
    private const int MaxHeadBytes = 16 * 1024;

    private static readonly List<SslApplicationProtocol> s_protocols = [SslApplicationProtocol.Http11];

    /// <summary>True when <c>listen.blockPage</c> is on.</summary>
    public bool Enabled => config.Listen.BlockPage;

    /// <summary>Handshakes as <paramref name="host"/> and answers one request with <paramref name="body"/> in a 403.</summary>
    public async Task ServeAsync(ConnectionContext connection, string host, string body)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        deadline.CancelAfter(config.Limits.HeaderTimeout);
        var ssl = new SslStream(new DuplexPipeStream(connection.Transport), leaveInnerStreamOpen: true);
        await using (ssl.ConfigureAwait(false))
        {
            try
            {
                var options = new SslServerAuthenticationOptions
                {
                    ServerCertificateContext = leaves.GetContext(host),
                    ApplicationProtocols = s_protocols,
                    EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
                };
                await ssl.AuthenticateAsServerAsync(options, deadline.Token).ConfigureAwait(false);
                if (!await ReadHeadAsync(ssl, deadline.Token).ConfigureAwait(false))
                {
                    return;
                }

                byte[] content = Encoding.UTF8.GetBytes(body);
                string head = string.Create(CultureInfo.InvariantCulture,
                    $"HTTP/1.1 403 Forbidden\r\nContent-Type: text/plain; charset=utf-8\r\nX-Gateway-Decision: blocked\r\nContent-Length: {content.Length}\r\nConnection: close\r\n\r\n");
                await ssl.WriteAsync(Encoding.ASCII.GetBytes(head), deadline.Token).ConfigureAwait(false);
                await ssl.WriteAsync(content, deadline.Token).ConfigureAwait(false);
                await ssl.ShutdownAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException)
            {
                // Most often: the client does not trust the gateway CA, or sent nothing in time.
                Log.NotServed(logger, host, e.Message);
            }
        }
    }

    // Reads up to the end of the request head; false when the client closes or sends too much.
    private static async Task<bool> ReadHeadAsync(SslStream ssl, CancellationToken cancellation)
    {
        byte[] buffer = ArrayPool<byte>.Shared.Rent(MaxHeadBytes);
        try
        {
            int filled = 0;
            while (filled < MaxHeadBytes)
            {
                int read = await ssl.ReadAsync(buffer.AsMemory(filled, MaxHeadBytes - filled), cancellation).ConfigureAwait(false);
                if (read == 0)
                {
                    return false;
                }

                filled += read;
                if (buffer.AsSpan(0, filled).IndexOf("\r\n\r\n"u8) >= 0)
                {
                    return true;
                }
            }

            return false;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(4300, LogLevel.Debug, "block page for {Host} not served: {Reason}")]
        public static partial void NotServed(ILogger logger, string host, string reason);
    }
}
