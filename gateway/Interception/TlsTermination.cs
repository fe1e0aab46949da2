using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Hosts;

namespace Gateway.Interception;

/// <summary>
/// Terminates an allowed connection that needs interception: a TLS handshake with the sandbox
/// using a leaf for the decided name (ALPN h2 and http/1.1), then the decrypted connection goes
/// to Kestrel's HTTP/1.1 or HTTP/2 stack through <c>next</c>, where
/// <see cref="InterceptedRequestHandler"/> serves each request. A ClientHello whose SNI names
/// another host than the one decided is refused before any certificate is sent (invariant 4).
/// </summary>
internal sealed partial class TlsTermination(
    LeafCertificateCache leaves, GatewayConfig config, GatewayMetrics metrics, InterceptionRecorder recorder, ILogger<TlsTermination> logger)
{
    private static readonly List<SslApplicationProtocol> s_protocols = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private static readonly ServerOptionsSelectionCallback s_select = SelectAsync;

    /// <summary>Handshakes, then runs the HTTP stack over the decrypted connection until it ends.</summary>
    public async Task RunAsync(ConnectionContext connection, InterceptionSession session, ConnectionDelegate next)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        IDuplexPipe transport = connection.Transport;
        var ssl = new SslStream(new DuplexPipeStream(transport), leaveInnerStreamOpen: false);
        await using (ssl.ConfigureAwait(false))
        {
            if (!await HandshakeAsync(connection, ssl, session).ConfigureAwait(false))
            {
                // Allowed, but no request could follow (often: the sandbox does not trust the
                // gateway's CA); the one event of this connection says so with status 0.
                await recorder.RecordAsync(session, session.Decision.Source, session.Decision.RuleId, allowed: true, 0, 0, 0, null, started).ConfigureAwait(false);
                return;
            }

            var terminated = new TerminatedTls(
                ssl,
                PipeReader.Create(ssl, new StreamPipeReaderOptions(leaveOpen: true)),
                PipeWriter.Create(ssl, new StreamPipeWriterOptions(leaveOpen: true)));
            connection.Features.Set<ITlsConnectionFeature>(terminated);
            connection.Features.Set<ITlsApplicationProtocolFeature>(terminated);
            connection.Items[InterceptionSession.ItemKey] = session;
            connection.Transport = terminated;
            try
            {
                await next(connection).ConfigureAwait(false);
            }
            finally
            {
                connection.Transport = transport;
                await terminated.Input.CompleteAsync().ConfigureAwait(false);
                await terminated.Output.CompleteAsync().ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> HandshakeAsync(ConnectionContext connection, SslStream ssl, InterceptionSession session)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(config.Limits.HeaderTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(s_select, (this, session.Plan.Host), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            metrics.RecordError(ErrorKind.TlsHandshake);
            Log.HandshakeFailed(logger, session.Sandbox, session.Plan.Authority, e.Message);
            return false;
        }
    }

    private static ValueTask<SslServerAuthenticationOptions> SelectAsync(SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancellation)
    {
        (TlsTermination self, string host) = ((TlsTermination, string))state!;

        // A CONNECT to one name with a ClientHello for another would have the client trust a
        // leaf for a host nobody decided; an absent SNI (IP literals) takes the decided name.
        if (!string.IsNullOrEmpty(hello.ServerName)
            && !string.Equals(HostCanonicalizer.Canonicalize(hello.ServerName, out _, out _), host, StringComparison.Ordinal))
        {
            throw new AuthenticationException($"the ClientHello names \"{hello.ServerName}\", not the decided host {host}");
        }

        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = self.Leaves.GetContext(host),
            ApplicationProtocols = s_protocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        });
    }

    private LeafCertificateCache Leaves => leaves;

    private static partial class Log
    {
        [LoggerMessage(2310, LogLevel.Information, "{Sandbox}: TLS handshake for intercepted {Authority} failed: {Reason}")]
        public static partial void HandshakeFailed(ILogger logger, string sandbox, string authority, string reason);
    }
}
