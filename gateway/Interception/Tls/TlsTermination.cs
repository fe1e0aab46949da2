using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Interception.Certificates;
using Gateway.Interception.Forwarding;
using Gateway.Metrics;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Logging;

namespace Gateway.Interception.Tls;

/// <summary>
/// Terminates an allowed connection that needs interception: a TLS handshake with the sandbox
/// using a leaf for the decided name (ALPN h2 and http/1.1), then the decrypted connection goes
/// to Kestrel's HTTP/1.1 or HTTP/2 stack through <c>next</c>, where
/// <see cref="InterceptedRequestHandler"/> serves each request. A ClientHello whose SNI names
/// another host than the one decided is refused before any certificate is sent (invariant 4).
/// </summary>
internal sealed partial class TlsTermination(
    LeafCertificateCache leaves, GatewayConfig config, GatewayMetrics metrics, EgressRecorder recorder, ILogger<TlsTermination> logger)
{
    /// <summary>What every interception handshake offers (also the options a <see cref="LeafContextAnchor"/> anchors under).</summary>
    internal static List<SslApplicationProtocol> ApplicationProtocols { get; } = [SslApplicationProtocol.Http2, SslApplicationProtocol.Http11];

    private static readonly ServerOptionsSelectionCallback s_select = SelectAsync;

    /// <summary>Handshakes, then runs the HTTP stack over the decrypted connection until it ends.</summary>
    public async Task RunAsync(ConnectionContext connection, InterceptionSession session, ConnectionDelegate next)
    {
        long started = System.Diagnostics.Stopwatch.GetTimestamp();
        IDuplexPipe transport = connection.Transport;
        var ssl = new SslStream(new DuplexPipeStream(transport), leaveInnerStreamOpen: false);
        if (!await HandshakeAsync(connection, ssl, session).ConfigureAwait(false))
        {
            await ssl.DisposeAsync().ConfigureAwait(false);

            // Allowed, but no request could follow (often: the sandbox does not trust the
            // gateway's CA); the one event of this connection says so with status 0.
            await recorder.RecordAsync(session.Verdict with { Started = started }, new EgressOutcome(0)).ConfigureAwait(false);
            return;
        }

        Stream decrypted = ssl.NegotiatedApplicationProtocol == SslApplicationProtocol.Http2 ? GuardFloods(ssl, connection, session) : ssl;
        var terminated = new TerminatedTls(
            ssl,
            PipeReader.Create(decrypted, new StreamPipeReaderOptions(leaveOpen: true)),
            PipeWriter.Create(decrypted, new StreamPipeWriterOptions(leaveOpen: true)));
        if (!await FirstBytesArriveAsync(terminated.Input, connection).ConfigureAwait(false))
        {
            // Kestrel would wait limits.idleTimeout for a first request; a connection that sends
            // none within limits.headerTimeout is closed like a slow head on the other paths.
            metrics.RecordError(ErrorKind.HeaderTimeout);
            await terminated.Input.CompleteAsync().ConfigureAwait(false);
            await terminated.Output.CompleteAsync().ConfigureAwait(false);
            await ssl.DisposeAsync().ConfigureAwait(false);
            await recorder.RecordAsync(session.Verdict with { Started = started }, new EgressOutcome(408)).ConfigureAwait(false);
            return;
        }

        connection.Features.Set<ITlsConnectionFeature>(terminated);
        connection.Features.Set<ITlsApplicationProtocolFeature>(terminated);
        connection.Items[InterceptionSession.ItemKey] = session;
        connection.Items[UpstreamRequestSlots.ItemKey] = new UpstreamRequestSlots(config.Limits.UpstreamRequestsPerConnection, metrics);
        connection.Transport = terminated;
        Task serving = next(connection);
        if (!await ServedOrAbandonedAsync(serving, connection).ConfigureAwait(false))
        {
            // The stack never finished: its pipes and the TLS stream may still be in use by it, so
            // they are left to it (and to the collector), and only the connection's slot returns.
            metrics.RecordError(ErrorKind.AbandonedConnection);
            Log.Abandoned(logger, session.Sandbox, session.Plan.Authority, (int)config.Limits.HeaderTimeout.TotalSeconds);
            _ = serving.ContinueWith(static t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted | TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
            return;
        }

        connection.Transport = transport;
        await terminated.Input.CompleteAsync().ConfigureAwait(false);
        await terminated.Output.CompleteAsync().ConfigureAwait(false);
        await ssl.DisposeAsync().ConfigureAwait(false);
        await serving.ConfigureAwait(false);
    }

    // RFC 9113 §10.5: control frames past limits.http2ControlFramesPerSecond end the connection
    // (Kestrel 10 has no such bound); counted, logged, and the socket aborted.
    private Http2FloodGuardStream GuardFloods(SslStream ssl, ConnectionContext connection, InterceptionSession session)
    {
        var budget = new Http2FrameBudget(config.Limits.Http2ControlFramesPerSecond);
        return new Http2FloodGuardStream(ssl, budget, () =>
        {
            metrics.RecordError(ErrorKind.Http2ControlFlood);
            Log.ControlFlood(logger, session.Sandbox, session.Plan.Authority, budget.Counted, budget.Frames);
            connection.Abort(new ConnectionAbortedException("HTTP/2 control-frame flood"));
        });
    }

    // Peeks: the bytes stay unexamined, so Kestrel's first read returns them at once. False when
    // nothing came within limits.headerTimeout or the client closed first.
    private async Task<bool> FirstBytesArriveAsync(PipeReader input, ConnectionContext connection)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(config.Limits.HeaderTimeout);
        try
        {
            ReadResult read = await input.ReadAsync(timeout.Token).ConfigureAwait(false);
            bool any = !read.Buffer.IsEmpty;
            input.AdvanceTo(read.Buffer.Start);
            return any;
        }
        catch (Exception e) when (e is OperationCanceledException or IOException or AuthenticationException or ObjectDisposedException)
        {
            return false;
        }
    }

    /// <summary>
    /// Waits for Kestrel's HTTP stack to finish with the connection. Under HTTP/2 floods that end
    /// in a reset (rapid reset with inline socket completions, measured in SECURITY.md) the stack
    /// was seen to never finish although its socket was gone: the connection-limit slot it held was
    /// then lost for good. So once the client's side of the socket has ended, the stack gets
    /// <c>limits.headerTimeout</c> to finish; past that the connection is aborted and abandoned
    /// (false), and its caller returns the slot. A client that merely half-closes an intercepted
    /// connection loses its last response after that grace: HTTP clients do not half-close.
    /// </summary>
    private async Task<bool> ServedOrAbandonedAsync(Task serving, ConnectionContext connection)
    {
        if (serving.IsCompleted)
        {
            return true;
        }

        var closed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (connection.ConnectionClosed.UnsafeRegister(static s => ((TaskCompletionSource)s!).TrySetResult(), closed))
        {
            if (await Task.WhenAny(serving, closed.Task).ConfigureAwait(false) == serving)
            {
                return true;
            }
        }

        try
        {
            await serving.WaitAsync(config.Limits.HeaderTimeout).ConfigureAwait(false);
            return true;
        }
        catch (TimeoutException)
        {
            connection.Abort(new ConnectionAbortedException("the HTTP stack did not finish after the client went away"));
            return false;
        }
    }

    private async Task<bool> HandshakeAsync(ConnectionContext connection, SslStream ssl, InterceptionSession session)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        timeout.CancelAfter(config.Limits.HeaderTimeout);
        try
        {
            await ssl.AuthenticateAsServerAsync(s_select, (this, session.Verdict), timeout.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception e) when (e is AuthenticationException or IOException or OperationCanceledException or ObjectDisposedException)
        {
            metrics.RecordError(ErrorKind.TlsHandshake);

            // A client that resets or closes mid-handshake did it to itself (invariant 6: at most a
            // Debug line); a refused handshake (an alert: the sandbox does not trust the gateway CA,
            // an SNI mismatch) or a timeout is what an operator wants to read.
            if (e is IOException or ObjectDisposedException || (e is OperationCanceledException && connection.ConnectionClosed.IsCancellationRequested))
            {
                Log.HandshakeAbandoned(logger, session.Sandbox, session.Plan.Authority, e.Message);
            }
            else
            {
                Log.HandshakeFailed(logger, session.Sandbox, session.Plan.Authority, e.Message);
            }

            return false;
        }
    }

    private static ValueTask<SslServerAuthenticationOptions> SelectAsync(SslStream stream, SslClientHelloInfo hello, object? state, CancellationToken cancellation)
    {
        (TlsTermination self, EgressVerdict verdict) = ((TlsTermination, EgressVerdict))state!;
        string host = verdict.Host;

        // A CONNECT to one name with a ClientHello for another would have the client trust a
        // leaf for a host nobody decided; an absent SNI (IP literals) takes the decided name.
        if (!string.IsNullOrEmpty(hello.ServerName)
            && !EgressDecider.SameHost(in verdict, hello.ServerName))
        {
            throw new AuthenticationException($"the ClientHello names \"{hello.ServerName}\", not the decided host {host}");
        }

        return ValueTask.FromResult(new SslServerAuthenticationOptions
        {
            ServerCertificateContext = self.Leaves.GetContext(host),
            ApplicationProtocols = ApplicationProtocols,
            ClientCertificateRequired = false,
            CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
        });
    }

    private LeafCertificateCache Leaves => leaves;

    private static partial class Log
    {
        [LoggerMessage(2310, LogLevel.Information, "{Sandbox}: TLS handshake for intercepted {Authority} failed: {Reason}")]
        public static partial void HandshakeFailed(ILogger logger, string sandbox, string authority, string reason);

        [LoggerMessage(2312, LogLevel.Debug, "{Sandbox}: the client went away during the TLS handshake for intercepted {Authority}: {Reason}")]
        public static partial void HandshakeAbandoned(ILogger logger, string sandbox, string authority, string reason);

        [LoggerMessage(2311, LogLevel.Debug, "{Sandbox}: intercepted {Authority}: the HTTP stack did not finish {Seconds}s after the client went away; connection aborted and its slot returned")]
        public static partial void Abandoned(ILogger logger, string sandbox, string authority, int seconds);

        [LoggerMessage(2312, LogLevel.Warning, "{Sandbox}: intercepted {Authority}: HTTP/2 control-frame flood ({Counted} control frames within a second, {Frames} frames in all); connection closed (limits.http2ControlFramesPerSecond)")]
        public static partial void ControlFlood(ILogger logger, string sandbox, string authority, long counted, long frames);
    }
}
