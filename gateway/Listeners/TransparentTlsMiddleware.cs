using System.Buffers;
using System.Diagnostics;
using System.IO.Pipelines;
using System.Net;
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
using PolicyCompiler.Compilation;
using PolicyCompiler.Hosts;

namespace Gateway.Listeners;

/// <summary>
/// The transparent TLS listener: peeks the ClientHello without consuming it, decides by SNI,
/// dials the SNI name (never the address the client aimed at, invariant 4) and relays every
/// byte untouched, so the client sees the upstream's own certificate (invariant 3). Refusals
/// are a TLS alert and a close: there is no HTTP to answer in. A host that needs interception
/// is terminated instead and handed to the HTTP stack behind <c>next</c>.
/// </summary>
internal sealed class TransparentTlsMiddleware(
    ConnectionDelegate next,
    GatewayConfig config,
    LivePolicy policy,
    SandboxRegistry sandboxes,
    Dialer dialer,
    ConnectionGate gate,
    TunnelRelay relay,
    GatewayMetrics metrics,
    DecisionRecorder recorder,
    NonHttpRecorder notTls,
    TlsTermination termination,
    PolicyEnforcement enforcement,
    BudgetGate budgets)
{
    // RFC 8446 §6: alert record, version 3.3, length 2, fatal (2), access_denied (49).
    private static ReadOnlySpan<byte> AccessDenied => [0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x31];

    public async Task OnConnectionAsync(ConnectionContext connection)
    {
        connection.Items[ListenerKind.ItemKey] = ListenerKind.TransparentTls;
        using BudgetLease budget = await budgets.EnterAsync(connection, ListenerKind.TransparentTls).ConfigureAwait(false);
        if (budget.Refused)
        {
            return;
        }

        if (!gate.TryEnter())
        {
            metrics.RecordError(ErrorKind.TooManyConnections);
            return;
        }

        TunnelState state = TunnelState.Pool.Get();
        try
        {
            int port = OriginalDestination.TryGetPort(connection) ?? config.Transparent.DialTlsPort;
            connection.Items[OriginalDestination.ItemKey] = port;
            ClientHelloStatus status = await PeekAsync(connection, state).ConfigureAwait(false);
            if (status == ClientHelloStatus.Complete)
            {
                await DecideAndRelayAsync(connection, state, port).ConfigureAwait(false);
            }
        }
        finally
        {
            TunnelState.Pool.Return(state);
            gate.Exit();
        }
    }

    // Never consumes: every read is examined to the end and consumed at the start, so the
    // hello is still in the pipe for the relay.
    private async ValueTask<ClientHelloStatus> PeekAsync(ConnectionContext connection, TunnelState state)
    {
        PipeReader input = connection.Transport.Input;
        state.ArmHeaderTimeout(config.Limits.HeaderTimeout, connection.ConnectionClosed);
        try
        {
            while (true)
            {
                if (await state.ReadBeforeHeaderTimeoutAsync(input).ConfigureAwait(false) is not { } read)
                {
                    metrics.RecordError(ErrorKind.HeaderTimeout);
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
                        await notTls.RecordAsync(connection, sandboxes, ListenerKind.TransparentTls).ConfigureAwait(false);
                    }
                    else
                    {
                        metrics.RecordError(ErrorKind.MalformedRequest);
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
        long started = Stopwatch.GetTimestamp();
        Sandbox? sandbox = sandboxes.Identify((connection.RemoteEndPoint as IPEndPoint)?.Address);
        if (sandbox is null)
        {
            metrics.RecordError(ErrorKind.UnknownSandbox);
            await RefuseAsync(connection).ConfigureAwait(false);
            return;
        }

        PolicyGeneration generation = policy.Generation;
        PolicySnapshot snapshot = generation.Snapshot;
        long decideStarted = Stopwatch.GetTimestamp();
        KitSet kits = SandboxRegistry.KitsOf(sandbox, snapshot);
        Decision decision = snapshot.Decide(state.Hello.ServerName, port, kits);
        long decideTicks = Stopwatch.GetTimestamp() - decideStarted;

        // An SNI must be a DNS name (RFC 6066 §3): an IP literal or a name that fails
        // canonicalisation gives nothing to dial by name, so it is refused.
        string? host = HostCanonicalizer.Canonicalize(state.Hello.ServerName, out HostKind kind, out _);
        if (decision.Reason == DecisionReason.InvalidHost || host is null || kind != HostKind.Name)
        {
            metrics.RecordError(ErrorKind.MalformedRequest);
            await RefuseAsync(connection).ConfigureAwait(false);
            return;
        }

        bool wouldBlock = enforcement.WouldBlock(in decision);
        metrics.RecordDecision(decision.IsAllowed || wouldBlock, ProxyKind.Transparent, decideTicks, wouldBlock);
        if (!decision.IsAllowed && !wouldBlock)
        {
            await recorder.RecordAsync(sandbox.Name, host, port, AuditEvent.TransparentProxy, decision, EgressError.None, 403, 0, 0, started).ConfigureAwait(false);
            await RefuseAsync(connection).ConfigureAwait(false);
            return;
        }

        if (generation.Interception.Find(kits, host, port) is { } plan)
        {
            // The hello is still unread in the pipe: the handshake consumes it.
            await termination.RunAsync(connection, new InterceptionSession(sandbox.Name, AuditEvent.TransparentProxy, decision, plan, snapshot.ProxyFor(sandbox.Kits)), next).ConfigureAwait(false);
            return;
        }

        DialResult dial = await dialer.ConnectAsync(host, port, DialPermissions.FromDecision(decision), snapshot.ProxyFor(sandbox.Kits), connection.ConnectionClosed).ConfigureAwait(false);
        metrics.RecordDial(dial);
        bool viaSocks5 = dial.Socks5Proxy is not null;
        if (dial.Socket is not { } upstream)
        {
            await recorder.RecordAsync(sandbox.Name, host, port, AuditEvent.TransparentProxy, decision, dial.Error, EgressErrors.StatusCode(dial.Error), 0, 0, started, viaSocks5).ConfigureAwait(false);
            await RefuseAsync(connection).ConfigureAwait(false);
            return;
        }

        using (upstream)
        {
            // Nothing was written to the output: the upstream's bytes may go straight to the client's socket.
            RelayResult relayed = await relay.RunAsync(connection.Transport, upstream, config.Limits.IdleTimeout, CancellationToken.None, TunnelRelay.DirectSocketOf(connection)).ConfigureAwait(false);
            metrics.RecordRelay(relayed);
            await recorder.RecordAsync(sandbox.Name, host, port, AuditEvent.TransparentProxy, decision, EgressError.None, 200, relayed.BytesFromClient, relayed.BytesToClient, started, viaSocks5).ConfigureAwait(false);
        }
    }

    private static async Task RefuseAsync(ConnectionContext connection)
    {
        PipeWriter output = connection.Transport.Output;
        output.Write(AccessDenied);
        await output.FlushAsync(connection.ConnectionClosed).ConfigureAwait(false);
    }
}
