using System.Buffers;
using System.IO.Pipelines;
using System.Net;
using Gateway.Audit;
using Gateway.Configuration;
using Gateway.Dialing;
using Gateway.Hosting;
using Gateway.Metrics;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Connections;
using PolicyCompiler.Compilation;

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
    SandboxRegistry sandboxes,
    GatewayMetrics metrics,
    NonHttpRecorder nonHttp,
    ConnectionGate gate,
    BudgetGate budgets)
{
    // "CONNECT" is the longest method a request line may start with here; eight bytes decide.
    private const int MethodProbe = 8;

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        connection.Items[ListenerKind.ItemKey] = ListenerKind.TransparentHttp;
        if (OriginalDestination.TryGetPort(connection) is { } port)
        {
            connection.Items[OriginalDestination.ItemKey] = port;
        }

        using BudgetLease budget = await budgets.EnterAsync(connection, ListenerKind.TransparentHttp).ConfigureAwait(false);
        if (budget.Refused)
        {
            return;
        }

        // The same limits.maxConnections as the other sandbox-facing listeners: one count, one 503.
        if (!gate.TryEnter())
        {
            metrics.RecordError(ErrorKind.TooManyConnections);
            await ProxyResponses.WriteErrorAsync(connection.Transport.Output, 503, "Too many connections through the egress gateway; retry later.\n", blocked: false, connection.ConnectionClosed).ConfigureAwait(false);
            return;
        }

        try
        {
            HttpProbe probe = await ProbeAsync(connection).ConfigureAwait(false);
            if (probe == HttpProbe.Http)
            {
                await next(connection).ConfigureAwait(false);
            }
            else if (probe == HttpProbe.NotHttp)
            {
                await nonHttp.RecordAsync(connection, sandboxes, ListenerKind.TransparentHttp).ConfigureAwait(false);
            }
        }
        finally
        {
            gate.Exit();
        }
    }

    // Peeks (consumes nothing) until the first bytes say HTTP or not. The pooled state is held
    // only while peeking, not for the HTTP connection's lifetime. NeedMore = timed out.
    private async ValueTask<HttpProbe> ProbeAsync(ConnectionContext connection)
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
                    metrics.RecordError(ErrorKind.HeaderTimeout);
                    return HttpProbe.NeedMore;
                }

                ReadOnlySequence<byte> buffer = read.Buffer;
                HttpProbe probe = Probe(buffer);
                input.AdvanceTo(buffer.Start, probe == HttpProbe.NeedMore ? buffer.End : buffer.Start);
                if (probe != HttpProbe.NeedMore)
                {
                    return probe;
                }

                if (read.IsCompleted)
                {
                    return HttpProbe.NotHttp;
                }
            }
        }
        finally
        {
            state.DisarmHeaderTimeout();
            TunnelState.Pool.Return(state);
        }
    }

    internal enum HttpProbe
    {
        NeedMore,
        Http,
        NotHttp,
    }

    // An HTTP/1.x request line starts with a method token (RFC 9110 §9.1) and one SP.
    internal static HttpProbe Probe(in ReadOnlySequence<byte> buffer)
    {
        Span<byte> first = stackalloc byte[MethodProbe];
        int length = (int)Math.Min(buffer.Length, MethodProbe);
        buffer.Slice(0, length).CopyTo(first);
        for (int i = 0; i < length; i++)
        {
            byte b = first[i];
            if (b == ' ')
            {
                return i > 0 ? HttpProbe.Http : HttpProbe.NotHttp;
            }

            if (b is < (byte)'A' or > (byte)'Z')
            {
                return HttpProbe.NotHttp; // methods in use are upper-case letters
            }
        }

        return length < MethodProbe ? HttpProbe.NeedMore : HttpProbe.NotHttp;
    }
}
