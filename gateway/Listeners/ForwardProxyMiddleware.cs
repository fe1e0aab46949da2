using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Gateway.Audit;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Hosting;
using Gateway.Interception;
using Gateway.Metrics;
using Gateway.Policy;
using Gateway.Protocols;
using Gateway.Relay;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
using PolicyCompiler.Compilation;
using PolicyCompiler.Hosts;

namespace Gateway.Listeners;

/// <summary>
/// The forward listener's L4 middleware. A CONNECT head is read here from the transport pipe
/// (Kestrel has no CONNECT support), decided, dialled and relayed; anything else is handed,
/// unread, to Kestrel's HTTP stack for absolute-form proxying.
/// </summary>
internal sealed partial class ForwardProxyMiddleware(
    ConnectionDelegate next,
    GatewayConfig config,
    LivePolicy policy,
    SandboxRegistry sandboxes,
    Dialer dialer,
    ConnectionGate gate,
    TunnelRelay relay,
    GatewayMetrics metrics,
    DecisionRecorder recorder,
    TlsTermination termination,
    PolicyEnforcement enforcement,
    BudgetGate budgets,
    ILogger<ForwardProxyMiddleware> logger)
{
    private readonly TunnelRelay _relay = relay;

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        connection.Items[ListenerKind.ItemKey] = ListenerKind.Forward;
        using BudgetLease budget = await budgets.EnterAsync(connection, ListenerKind.Forward).ConfigureAwait(false);
        if (budget.Refused)
        {
            return;
        }

        if (!gate.TryEnter())
        {
            metrics.RecordError(ErrorKind.TooManyConnections);
            await ProxyResponses.WriteErrorAsync(connection.Transport.Output, 503, "Too many connections through the egress gateway; retry later.\n", blocked: false, connection.ConnectionClosed).ConfigureAwait(false);
            return;
        }

        TunnelState state = TunnelState.Pool.Get();
        try
        {
            ConnectParseStatus status = await ReadHeadAsync(connection, state).ConfigureAwait(false);
            if (status == ConnectParseStatus.NotConnect)
            {
                await next(connection).ConfigureAwait(false);
                return;
            }

            if (status == ConnectParseStatus.Complete)
            {
                await TunnelAsync(connection, state).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException or IOException)
        {
            // The client reset while its answer was written: its own doing, not an error of the
            // gateway (Kestrel would log each one at Error with a stack trace).
            Log.ClientGone(logger, connection.RemoteEndPoint, e.GetType().Name);
        }
        finally
        {
            TunnelState.Pool.Return(state);
            gate.Exit();
        }
    }

    // Reads until the head is complete, refused, or not a CONNECT. Bytes past the head stay
    // in the pipe and are relayed first once the tunnel is up.
    private async ValueTask<ConnectParseStatus> ReadHeadAsync(ConnectionContext connection, TunnelState state)
    {
        PipeReader input = connection.Transport.Input;
        state.ArmHeaderTimeout(config.Limits.HeaderTimeout, connection.ConnectionClosed);
        try
        {
            while (true)
            {
                if (await state.ReadBeforeHeaderTimeoutAsync(input).ConfigureAwait(false) is not { } read)
                {
                    Log.HeaderTimeout(logger, connection.RemoteEndPoint);
                    metrics.RecordError(ErrorKind.HeaderTimeout);
                    await ProxyResponses.WriteErrorAsync(connection.Transport.Output, 408, "The request head did not arrive in time.\n", blocked: false, connection.ConnectionClosed).ConfigureAwait(false);
                    return ConnectParseStatus.Rejected;
                }

                ReadOnlySequence<byte> buffer = read.Buffer;
                ConnectParseStatus status = ConnectRequestReader.TryRead(buffer, ref state.Head, out SequencePosition consumed, out ConnectRejection rejection);
                switch (status)
                {
                    case ConnectParseStatus.Complete:
                        input.AdvanceTo(consumed);
                        return status;
                    case ConnectParseStatus.NotConnect:
                        input.AdvanceTo(buffer.Start, buffer.Start);
                        return status;
                    case ConnectParseStatus.Rejected:
                        input.AdvanceTo(buffer.End);
                        Log.Malformed(logger, connection.RemoteEndPoint, rejection);
                        metrics.RecordError(ErrorKind.MalformedRequest);
                        await ProxyResponses.WriteErrorAsync(
                            connection.Transport.Output,
                            rejection == ConnectRejection.HeadTooLarge ? 431 : 400,
                            $"Malformed CONNECT request ({rejection}): send \"CONNECT host:port HTTP/1.1\".\n",
                            blocked: false,
                            connection.ConnectionClosed).ConfigureAwait(false);
                        return status;
                    default:
                        if (read.IsCompleted)
                        {
                            input.AdvanceTo(buffer.End);
                            return ConnectParseStatus.Rejected;
                        }

                        input.AdvanceTo(buffer.Start, buffer.End);
                        break;
                }
            }
        }
        finally
        {
            state.DisarmHeaderTimeout();
        }
    }

    private async Task TunnelAsync(ConnectionContext connection, TunnelState state)
    {
        long started = Stopwatch.GetTimestamp();
        PipeWriter output = connection.Transport.Output;
        IPAddress? remote = (connection.RemoteEndPoint as IPEndPoint)?.Address;
        Sandbox? sandbox = sandboxes.Identify(remote);
        if (sandbox is null)
        {
            metrics.RecordError(ErrorKind.UnknownSandbox);
            await ProxyResponses.WriteErrorAsync(output, 403, "This address belongs to no registered sandbox.\n", blocked: true, connection.ConnectionClosed).ConfigureAwait(false);
            return;
        }

        if (!sandbox.Authorizes(state.Head.ProxyAuthorization))
        {
            await ProxyResponses.WriteProxyAuthenticationRequiredAsync(output, connection.ConnectionClosed).ConfigureAwait(false);
            return;
        }

        PolicyGeneration generation = policy.Generation;
        PolicySnapshot snapshot = generation.Snapshot;
        int port = state.Head.Port;
        long decideStarted = Stopwatch.GetTimestamp();
        KitSet kits = SandboxRegistry.KitsOf(sandbox, snapshot);
        Decision decision = snapshot.Decide(state.Head.Host, port, kits);
        long decideTicks = Stopwatch.GetTimestamp() - decideStarted;
        if (decision.Reason == DecisionReason.InvalidHost)
        {
            metrics.RecordError(ErrorKind.MalformedRequest);
            await ProxyResponses.WriteErrorAsync(output, 400, $"Host: {HostErrorMessages.Describe(decision.HostError)}.\n", blocked: false, connection.ConnectionClosed).ConfigureAwait(false);
            return;
        }

        bool wouldBlock = enforcement.WouldBlock(in decision);
        metrics.RecordDecision(decision.IsAllowed || wouldBlock, ProxyKind.Forward, decideTicks, wouldBlock);
        // Decide succeeded, so the host canonicalises: the name (or IP text) that is dialled and logged.
        string host = HostCanonicalizer.Canonicalize(state.Head.Host, out _, out _)!;
        if (!decision.IsAllowed && !wouldBlock)
        {
            Log.Decided(logger, sandbox.Name, host, port, "blocked", decision.RuleId, 403);
            await recorder.RecordAsync(sandbox.Name, host, port, AuditEvent.ForwardProxy, decision, EgressError.None, 403, 0, 0, started).ConfigureAwait(false);
            await ProxyResponses.WriteErrorAsync(output, 403, BlockedMessage.For(decision, host, port, sandbox.Name), blocked: true, connection.ConnectionClosed).ConfigureAwait(false);
            return;
        }

        // Only a host a kit of this sandbox binds a credential or an L7 rule to is terminated;
        // the upstream is then dialled per request by the L7 path (invariant 3).
        if (generation.Interception.Find(kits, host, port) is { } plan)
        {
            await ProxyResponses.WriteEstablishedAsync(output, connection.ConnectionClosed).ConfigureAwait(false);
            await termination.RunAsync(connection, new InterceptionSession(sandbox.Name, AuditEvent.ForwardProxy, decision, plan, snapshot.ProxyFor(sandbox.Kits)), next).ConfigureAwait(false);
            return;
        }

        DialResult dial = await dialer.ConnectAsync(host, port, DialPermissions.FromDecision(decision), snapshot.ProxyFor(sandbox.Kits), connection.ConnectionClosed).ConfigureAwait(false);
        metrics.RecordDial(dial);
        bool viaSocks5 = dial.Socks5Proxy is not null;
        if (dial.Socket is not { } upstream)
        {
            int status = EgressErrors.StatusCode(dial.Error);
            await recorder.RecordAsync(sandbox.Name, host, port, AuditEvent.ForwardProxy, decision, dial.Error, status, 0, 0, started, viaSocks5).ConfigureAwait(false);
            Log.Decided(logger, sandbox.Name, host, port, dial.Error == EgressError.RefusedAddress ? "blocked" : "allowed", dial.Error == EgressError.RefusedAddress ? "egress-guard" : decision.RuleId, status);
            string body = dial.Error == EgressError.RefusedAddress
                ? BlockedMessage.ForGuard(host, port, EgressErrors.Reason(dial.Error))
                : $"{host}:{port}: {EgressErrors.Reason(dial.Error, dial.Socks5Proxy)}.\n";
            await ProxyResponses.WriteErrorAsync(output, status, body, dial.Error == EgressError.RefusedAddress, connection.ConnectionClosed).ConfigureAwait(false);
            return;
        }

        using (upstream)
        {
            // Nothing was written to the output yet: the upstream's bytes may go straight to the
            // client's socket (spliced), the success line first.
            Socket? direct = TunnelRelay.DirectSocketOf(connection);
            if (direct is null || !await ProxyResponses.TryWriteEstablishedAsync(direct).ConfigureAwait(false))
            {
                direct = null;
                await ProxyResponses.WriteEstablishedAsync(output, connection.ConnectionClosed).ConfigureAwait(false);
            }

            // Not ConnectionClosed: Kestrel fires it when the client merely half-closes. On
            // shutdown Kestrel lets tunnels drain up to its timeout, then aborts their transports.
            RelayResult relayed = await _relay.RunAsync(connection.Transport, upstream, config.Limits.IdleTimeout, CancellationToken.None, direct).ConfigureAwait(false);
            metrics.RecordRelay(relayed);
            await recorder.RecordAsync(sandbox.Name, host, port, AuditEvent.ForwardProxy, decision, EgressError.None, 200, relayed.BytesFromClient, relayed.BytesToClient, started, viaSocks5).ConfigureAwait(false);
            Log.Tunnel(logger, sandbox.Name, host, port, decision.RuleId, relayed.BytesFromClient, relayed.BytesToClient, (long)Stopwatch.GetElapsedTime(started).TotalMilliseconds, relayed.End);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(2000, LogLevel.Debug, "{Sandbox} CONNECT {Host}:{Port} {Decision} rule={Rule} status={Status}")]
        public static partial void Decided(ILogger logger, string sandbox, string host, int port, string decision, string rule, int status);

        [LoggerMessage(2001, LogLevel.Debug, "{Sandbox} CONNECT {Host}:{Port} allowed rule={Rule} status=200 in={BytesIn} out={BytesOut} ms={Milliseconds} end={End}")]
        public static partial void Tunnel(ILogger logger, string sandbox, string host, int port, string rule, long bytesIn, long bytesOut, long milliseconds, RelayEnd end);

        [LoggerMessage(2002, LogLevel.Information, "{Remote}: malformed CONNECT head ({Rejection})")]
        public static partial void Malformed(ILogger logger, EndPoint? remote, ConnectRejection rejection);

        [LoggerMessage(2004, LogLevel.Debug, "{Remote}: the client went away while being answered ({Exception})")]
        public static partial void ClientGone(ILogger logger, EndPoint? remote, string exception);

        [LoggerMessage(2003, LogLevel.Information, "{Remote}: request head not complete within limits.headerTimeout")]
        public static partial void HeaderTimeout(ILogger logger, EndPoint? remote);
    }
}
