using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
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

namespace Gateway.Listeners;

/// <summary>
/// The transparent TLS listener: peeks the ClientHello without consuming it, decides by SNI,
/// dials the SNI name (never the address the client aimed at, invariant 4) and relays every
/// byte untouched, so the client sees the upstream's own certificate (invariant 3). Refusals
/// are a TLS alert and a close: there is no HTTP to answer in. A host that needs interception
/// is terminated instead and handed to the HTTP stack behind <c>next</c>.
/// </summary>
internal sealed partial class TransparentTlsMiddleware(
    ConnectionDelegate next,
    GatewayConfig config,
    EgressDecider decider,
    EgressRecorder recorder,
    Dialer dialer,
    ConnectionGate gate,
    TunnelRelay relay,
    GatewayMetrics metrics,
    TlsTermination termination,
    ILogger<TransparentTlsMiddleware> logger,
    BlockPage blockPage,
    BudgetGate budgets,
    AskMode ask)
{
    // RFC 8446 §6: alert record, version 3.3, length 2, fatal (2), access_denied (49).
    private static ReadOnlySpan<byte> AccessDenied => [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x31];

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        connection.Items[ListenerKind.ItemKey] = ListenerKind.TransparentTls;
        int port = OriginalDestination.TryGetPort(connection) ?? config.Transparent.DialTlsPort;
        using BudgetLease budget = await budgets.EnterAsync(connection, ListenerKind.TransparentTls).ConfigureAwait(false);
        if (budget.Refused)
        {
            return;
        }

        if (!gate.TryEnter())
        {
            // A close is the only answer TLS has before a handshake; the refusal is on the record.
            await RecordRefusalAsync(connection, port, EgressReason.ConnectionLimit, 503, ErrorKind.TooManyConnections).ConfigureAwait(false);
            return;
        }

        TunnelState state = TunnelState.Pool.Get();
        try
        {
            connection.Items[OriginalDestination.ItemKey] = port;
            ClientHelloStatus status = await PeekAsync(connection, state, port).ConfigureAwait(false);
            if (status == ClientHelloStatus.Complete)
            {
                await DecideAndRelayAsync(connection, state, port).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException or IOException)
        {
            // The client reset while its refusal was written or its tunnel set up: its own doing,
            // not an error of the gateway (Kestrel would log each one at Error with a stack trace).
            Log.ClientGone(logger, connection.RemoteEndPoint, e.GetType().Name);
        }
        finally
        {
            TunnelState.Pool.Return(state);
            gate.Exit();
        }
    }

    // Never consumes: every read is examined to the end and consumed at the start, so the
    // hello is still in the pipe for the relay.
    private async ValueTask<ClientHelloStatus> PeekAsync(ConnectionContext connection, TunnelState state, int port)
    {
        PipeReader input = connection.Transport.Input;
        state.ArmHeaderTimeout(config.Limits.HeaderTimeout, connection.ConnectionClosed);
        try
        {
            while (true)
            {
                if (await state.ReadBeforeHeaderTimeoutAsync(input).ConfigureAwait(false) is not { } read)
                {
                    if (!state.ClientGone && !connection.ConnectionClosed.IsCancellationRequested)
                    {
                        await RecordRefusalAsync(connection, port, EgressReason.HeaderTimeout, 408, ErrorKind.HeaderTimeout).ConfigureAwait(false);
                    }

                    return ClientHelloStatus.Rejected;
                }

                ReadOnlySequence<byte> buffer = read.Buffer;
                ClientHelloStatus status = ClientHelloReader.TryRead(buffer, ref state.Hello, out ClientHelloRejection rejection);
                if (status == ClientHelloStatus.Complete)
                {
                    input.AdvanceTo(buffer.Start);
                    return status;
                }

                input.AdvanceTo(buffer.Start, buffer.End);
                if (status == ClientHelloStatus.Rejected || read.IsCompleted)
                {
                    if (rejection is ClientHelloRejection.NotTls or ClientHelloRejection.SslV2 || status == ClientHelloStatus.Incomplete)
                    {
                        EgressVerdict verdict = decider.NonHttp(Request(connection, port), (connection.LocalEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown");
                        await recorder.RecordAsync(in verdict, EgressOutcome.Refused(0)).ConfigureAwait(false);
                    }
                    else
                    {
                        await RecordRefusalAsync(connection, port, EgressReason.Malformed, 400, ErrorKind.MalformedRequest).ConfigureAwait(false);
                        await RefuseAsync(connection).ConfigureAwait(false);
                    }

                    return ClientHelloStatus.Rejected;
                }
            }
        }
        finally
        {
            state.DisarmHeaderTimeout();
        }
    }

    private async Task DecideAndRelayAsync(ConnectionContext connection, TunnelState state, int port)
    {
        EgressRequest request = Request(connection, port);
        request.Host = state.Hello.ServerName;
        request.MayIntercept = true;
        request.NameOnly = true;
        EgressVerdict verdict = decider.Decide(in request);
        if (ask.ShouldHold(in verdict))
        {
            // Ask mode: the hello stays unread in the pipe while the client waits for an operator.
            ApprovalWait wait = await ask.WaitAsync(verdict, connection.ConnectionClosed).ConfigureAwait(false);
            if (wait.Outcome != ApprovalOutcome.Approved)
            {
                await RefuseHeldAsync(connection, AskMode.Conclude(in verdict, in wait), wait).ConfigureAwait(false);
                return;
            }

            EgressRequest again = Request(connection, port);
            again.Host = state.Hello.ServerName;
            again.MayIntercept = true;
            again.NameOnly = true;
            verdict = AskMode.AsApproved(decider.Decide(in again), in verdict);
        }

        if (!verdict.LetsThrough)
        {
            await recorder.RecordAsync(in verdict, EgressOutcome.Refused(verdict.Status)).ConfigureAwait(false);
            if (blockPage.Enabled && verdict.DecidedByPolicy)
            {
                // The hello is still unread in the pipe: the block page's handshake consumes it.
                await blockPage.ServeAsync(connection, verdict.Host, BlockedMessage.For(verdict.Decision, verdict.Host, verdict.Port, verdict.Sandbox.Name)).ConfigureAwait(false);
                return;
            }

            await RefuseAsync(connection).ConfigureAwait(false);
            return;
        }

        if (verdict.Plan.Interception is not null)
        {
            // The hello is still unread in the pipe: the handshake consumes it.
            await termination.RunAsync(connection, new InterceptionSession(verdict), next).ConfigureAwait(false);
            return;
        }

        DialResult dial = await dialer.ConnectAsync(verdict.Host, verdict.Port, verdict.Permissions, verdict.Plan.KitProxy, connection.ConnectionClosed).ConfigureAwait(false);
        metrics.RecordDial(dial);
        bool viaSocks5 = dial.Socks5Proxy is not null;
        if (dial.Socket is not { } upstream)
        {
            await recorder.RecordAsync(in verdict, new EgressOutcome(EgressErrors.StatusCode(dial.Error), DialError: dial.Error, ViaSocks5: viaSocks5)).ConfigureAwait(false);
            await RefuseAsync(connection).ConfigureAwait(false);
            return;
        }

        using (upstream)
        {
            // Nothing was written to the output: the upstream's bytes may go straight to the client's socket.
            RelayResult relayed = await relay.RunAsync(
                connection.Transport, upstream, config.Limits.IdleTimeout, CancellationToken.None, TunnelRelay.DirectSocketOf(connection), TunnelRelay.DirectReadsOf(connection)).ConfigureAwait(false);
            metrics.RecordRelay(relayed);
            await recorder.RecordAsync(in verdict, new EgressOutcome(200, relayed.BytesFromClient, relayed.BytesToClient, ViaSocks5: viaSocks5)).ConfigureAwait(false);
        }
    }

    // A held hello that was not approved: an alert (or, with listen.blockPage, the 403 saying why and the pending id).
    private async Task RefuseHeldAsync(ConnectionContext connection, EgressVerdict verdict, ApprovalWait wait)
    {
        await recorder.RecordAsync(in verdict, EgressOutcome.Refused(verdict.Status)).ConfigureAwait(false);
        if (wait.Outcome == ApprovalOutcome.ClientGone)
        {
            return;
        }

        if (blockPage.Enabled)
        {
            await blockPage.ServeAsync(connection, verdict.Host, ask.RefusalBody(in verdict, in wait)).ConfigureAwait(false);
            return;
        }

        await RefuseAsync(connection).ConfigureAwait(false);
    }

    private static EgressRequest Request(ConnectionContext connection, int port) => new()
    {
        Listener = ListenerKind.TransparentTls,
        Remote = (connection.RemoteEndPoint as IPEndPoint)?.Address,
        Port = port,
        Started = Stopwatch.GetTimestamp(),
    };

    // A refusal before there is a name to decide: a close for the client, an event for the record
    // with the status the HTTP listeners would have answered, so one refusal reads alike everywhere.
    private ValueTask RecordRefusalAsync(ConnectionContext connection, int port, string reason, int status, ErrorKind error)
    {
        EgressVerdict verdict = decider.Refuse(Request(connection, port), reason, status, error);
        return recorder.RecordAsync(in verdict, EgressOutcome.Refused(status));
    }

    private static async Task RefuseAsync(ConnectionContext connection)
    {
        PipeWriter output = connection.Transport.Output;
        output.Write(AccessDenied);
        await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
    }
}
