using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using System.Diagnostics;
using Gateway.Configuration;
using Gateway.Decisions;
using Gateway.Metrics;
using Gateway.Protocols;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Connections;

namespace Gateway.Listeners;

/// <summary>
/// The transparent HTTP listener's L4 step: a redirected connection must start with an HTTP/1.x
/// request line; then Kestrel's HTTP stack parses it and the L7 handler decides each request by
/// Host. Anything else (a database protocol, an SSH banner wait) is closed and audited as
/// <c>proxy: network</c>, <c>blocked</c>.
/// </summary>
internal sealed class TransparentHttpMiddleware(
    ConnectionDelegate next,
    GatewayConfig config,
    EgressDecider decider,
    EgressRecorder recorder,
    ConnectionGate gate,
    BudgetGate budgets)
{
    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        connection.Items[ListenerKind.ItemKey] = ListenerKind.TransparentHttp;
        int? port = OriginalDestination.TryGetPort(connection);
        if (port is { } original)
        {
            connection.Items[OriginalDestination.ItemKey] = original;
        }

        using BudgetLease budget = await budgets.EnterAsync(connection, ListenerKind.TransparentHttp).ConfigureAwait(false);
        if (budget.Refused)
        {
            return;
        }

        // The same limits.maxConnections as the other sandbox-facing listeners: one count, one 503.
        if (!gate.TryEnter())
        {
            await RefuseAsync(connection, port, EgressReason.ConnectionLimit, 503, ErrorKind.TooManyConnections, "Too many connections through the egress gateway; retry later.\n").ConfigureAwait(false);
            return;
        }

        try
        {
            HttpProbeResult probe = await ProbeAsync(connection, port).ConfigureAwait(false);
            if (probe == HttpProbeResult.Http)
            {
                await next(connection).ConfigureAwait(false);
            }
            else if (probe == HttpProbeResult.NotHttp)
            {
                EgressVerdict verdict = decider.NonHttp(Request(connection, port ?? (connection.LocalEndPoint as IPEndPoint)?.Port), (connection.LocalEndPoint as IPEndPoint)?.Address.ToString() ?? "unknown");
                await recorder.RecordAsync(in verdict, EgressOutcome.Refused(0)).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Exit();
        }
    }

    // Peeks (consumes nothing) until the first bytes say HTTP or not. The pooled state is held
    // only while peeking, not for the HTTP connection's lifetime. NeedMore = timed out or gone.
    private async ValueTask<HttpProbeResult> ProbeAsync(ConnectionContext connection, int? port)
    {
        PipeReader input = connection.Transport.Input;
        TunnelState state = TunnelState.Pool.Get();
        state.ArmHeaderTimeout(config.Limits.HeaderTimeout, connection.ConnectionClosed);
        try
        {
            while (true)
            {
                if (await state.ReadBeforeHeaderTimeoutAsync(input).ConfigureAwait(false) is not { } read)
                {
                    if (!state.ClientGone && !connection.ConnectionClosed.IsCancellationRequested)
                    {
                        await RefuseAsync(connection, port, EgressReason.HeaderTimeout, 408, ErrorKind.HeaderTimeout, "The request head did not arrive in time.\n").ConfigureAwait(false);
                    }

                    return HttpProbeResult.NeedMore;
                }

                ReadOnlySequence<byte> buffer = read.Buffer;
                HttpProbeResult probe = HttpRequestProbe.Probe(buffer);
                input.AdvanceTo(buffer.Start, probe == HttpProbeResult.NeedMore ? buffer.End : buffer.Start);
                if (probe != HttpProbeResult.NeedMore)
                {
                    return probe;
                }

                if (read.IsCompleted)
                {
                    return HttpProbeResult.NotHttp;
                }
            }
        }
        finally
        {
            state.DisarmHeaderTimeout();
            TunnelState.Pool.Return(state);
        }
    }

    private EgressRequest Request(ConnectionContext connection, int? port) => new()
    {
        Listener = ListenerKind.TransparentHttp,
        Remote = (connection.RemoteEndPoint as IPEndPoint)?.Address,
        Port = port ?? config.Transparent.DialHttpPort,
        Started = Stopwatch.GetTimestamp(),
    };

    // A refusal before Kestrel has a request: answered here, on the record like every other.
    private async Task RefuseAsync(ConnectionContext connection, int? port, string reason, int status, ErrorKind error, string body)
    {
        EgressVerdict verdict = decider.Refuse(Request(connection, port), reason, status, error);
        await recorder.RecordAsync(in verdict, EgressOutcome.Refused(status)).ConfigureAwait(false);
        try
        {
            await ProxyResponses.WriteErrorAsync(connection.Transport.Output, status, body, blocked: false, connection.ConnectionClosed).ConfigureAwait(false);
        }
        catch (Exception e) when (e is ConnectionResetException or OperationCanceledException or IOException)
        {
            // The client went away before its answer: nothing more to tell it.
        }
    }
}
