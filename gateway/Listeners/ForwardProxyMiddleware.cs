using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using Gateway.Approvals;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Dialing;
using Gateway.Interception;
using Gateway.Interception.Tls;
using Gateway.Metrics;
using Gateway.Protocols;
using Gateway.Relay;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.Logging;
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
    EgressDecider decider,
    EgressRecorder recorder,
    Dialer dialer,
    ConnectionGate gate,
    TunnelRelay relay,
    GatewayMetrics metrics,
    TlsTermination termination,
    BudgetGate budgets,
    AskMode ask,
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
            try
            {
                await RefuseAsync(connection, EgressReason.ConnectionLimit, 503, ErrorKind.TooManyConnections, "Too many connections through the egress gateway; retry later.\n").ConfigureAwait(false);
            }
            catch (Exception e) when (e is ConnectionResetException or OperationCanceledException or IOException)
            {
                Log.ClientGone(logger, connection.RemoteEndPoint, e.GetType().Name);
            }

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
                    if (state.ClientGone)
                    {
                        Log.ClientGone(logger, connection.RemoteEndPoint, "reset before the head was complete");
                        return ConnectParseStatus.Rejected;
                    }

                    if (!connection.ConnectionClosed.IsCancellationRequested)
                    {
                        Log.HeaderTimeout(logger, connection.RemoteEndPoint);
                        await RefuseAsync(connection, EgressReason.HeaderTimeout, 408, ErrorKind.HeaderTimeout, "The request head did not arrive in time.\n").ConfigureAwait(false);
                    }

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
                        await RefuseAsync(
                            connection,
                            EgressReason.Malformed,
                            rejection == ConnectRejection.HeadTooLarge ? 431 : 400,
                            ErrorKind.MalformedRequest,
                            $"Malformed CONNECT request ({rejection}): send \"CONNECT host:port HTTP/1.1\".\n").ConfigureAwait(false);
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

    // A refusal before there is a host to decide: on the record like every other (invariant 7).
    private async Task RefuseAsync(ConnectionContext connection, string reason, int status, ErrorKind error, string body)
    {
        var request = new EgressRequest
        {
            Listener = ListenerKind.Forward,
            Remote = (connection.RemoteEndPoint as IPEndPoint)?.Address,
            Started = Stopwatch.GetTimestamp(),
        };
        EgressVerdict verdict = decider.Refuse(in request, reason, status, error);
        await recorder.RecordAsync(in verdict, EgressOutcome.Refused(status)).ConfigureAwait(false);
        await ProxyResponses.WriteErrorAsync(connection.Transport.Output, status, body, blocked: false, connection.ConnectionClosed).ConfigureAwait(false);
    }

    private async Task TunnelAsync(ConnectionContext connection, TunnelState state)
    {
        PipeWriter output = connection.Transport.Output;
        EgressVerdict verdict = Decide(connection, state);
        if (ask.ShouldHold(in verdict))
        {
            // Ask mode: the client's CONNECT waits, unanswered, for an operator (or holdFor).
            ApprovalWait wait = await ask.WaitAsync(verdict, connection.ConnectionClosed).ConfigureAwait(false);
            if (wait.Outcome != ApprovalOutcome.Approved)
            {
                verdict = AskMode.Conclude(in verdict, in wait);
                await recorder.RecordAsync(in verdict, EgressOutcome.Refused(verdict.Status)).ConfigureAwait(false);
                Log.Decided(logger, verdict.Sandbox.Name, verdict.Host, verdict.Port, "blocked", verdict.Reason, verdict.Status);
                if (wait.Outcome != ApprovalOutcome.ClientGone)
                {
                    await ProxyResponses.WriteErrorAsync(output, 403, ask.RefusalBody(in verdict, in wait), blocked: true, connection.ConnectionClosed).ConfigureAwait(false);
                }

                return;
            }

            verdict = AskMode.AsApproved(Decide(connection, state), in verdict);
        }

        if (!verdict.LetsThrough)
        {
            await recorder.RecordAsync(in verdict, EgressOutcome.Refused(verdict.Status)).ConfigureAwait(false);
            Log.Decided(logger, verdict.Sandbox.Name, verdict.Host, verdict.Port, "blocked", verdict.RuleId, verdict.Status);
            await WriteRefusalAsync(connection, in verdict).ConfigureAwait(false);
            return;
        }

        string host = verdict.Host;
        int port = verdict.Port;

        // Only a host a kit of this sandbox binds a credential or an L7 rule to is terminated;
        // the upstream is then dialled per request by the L7 path (invariant 3).
        if (verdict.Plan.Interception is not null)
        {
            await ProxyResponses.WriteEstablishedAsync(output, connection.ConnectionClosed).ConfigureAwait(false);
            await termination.RunAsync(connection, new InterceptionSession(verdict), next).ConfigureAwait(false);
            return;
        }

        DialResult dial = await dialer.ConnectAsync(host, port, verdict.Permissions, verdict.Plan.KitProxy, connection.ConnectionClosed).ConfigureAwait(false);
        metrics.RecordDial(dial);
        bool viaSocks5 = dial.Socks5Proxy is not null;
        if (dial.Socket is not { } upstream)
        {
            int status = EgressErrors.StatusCode(dial.Error);
            await recorder.RecordAsync(in verdict, new EgressOutcome(status, DialError: dial.Error, ViaSocks5: viaSocks5)).ConfigureAwait(false);
            Log.Decided(logger, verdict.Sandbox.Name, host, port, dial.Error == EgressError.RefusedAddress ? "blocked" : "allowed", dial.Error == EgressError.RefusedAddress ? "egress-guard" : verdict.RuleId, status);
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
            RelayResult relayed = await _relay.RunAsync(
                connection.Transport, upstream, config.Limits.IdleTimeout, CancellationToken.None, direct, TunnelRelay.DirectReadsOf(connection)).ConfigureAwait(false);
            metrics.RecordRelay(relayed);
            await recorder.RecordAsync(in verdict, new EgressOutcome(200, relayed.BytesFromClient, relayed.BytesToClient, ViaSocks5: viaSocks5)).ConfigureAwait(false);
            Log.Tunnel(logger, verdict.Sandbox.Name, host, port, verdict.RuleId, relayed.BytesFromClient, relayed.BytesToClient, (long)Stopwatch.GetElapsedTime(verdict.Started).TotalMilliseconds, relayed.End);
        }
    }

    private EgressVerdict Decide(ConnectionContext connection, TunnelState state)
    {
        var request = new EgressRequest
        {
            Listener = ListenerKind.Forward,
            Remote = (connection.RemoteEndPoint as IPEndPoint)?.Address,
            Host = state.Head.Host,
            Port = state.Head.Port,
            CheckToken = true,
            ProxyAuthorization = state.Head.ProxyAuthorization,
            MayIntercept = true,
            Started = Stopwatch.GetTimestamp(),
        };
        return decider.Decide(in request);
    }

    private static ValueTask<FlushResult> WriteRefusalAsync(ConnectionContext connection, in EgressVerdict verdict)
    {
        PipeWriter output = connection.Transport.Output;
        CancellationToken closed = connection.ConnectionClosed;
        return verdict.Reason switch
        {
            EgressReason.ProxyAuth => ProxyResponses.WriteProxyAuthenticationRequiredAsync(output, closed),
            EgressReason.UnknownSandbox => ProxyResponses.WriteErrorAsync(output, 403, "This address belongs to no registered sandbox.\n", blocked: true, closed),
            EgressReason.InvalidHost or EgressReason.Malformed => ProxyResponses.WriteErrorAsync(output, 400, $"Host: {HostErrorMessages.Describe(verdict.Decision.HostError)}.\n", blocked: false, closed),
            EgressReason.PolicyError => ProxyResponses.WriteErrorAsync(output, 403, BlockedMessage.ForPolicyError(verdict.Host, verdict.Port), blocked: true, closed),
            _ => ProxyResponses.WriteErrorAsync(output, 403, BlockedMessage.For(verdict.Decision, verdict.Host, verdict.Port, verdict.Sandbox.Name), blocked: true, closed),
        };
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
