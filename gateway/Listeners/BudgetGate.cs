using System.Diagnostics;
using System.Net;
using System.Threading.RateLimiting;
using Gateway.Decisions;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Gateway.Listeners;

/// <summary>
/// Where the entry points meet the sandboxes' budgets (invariant 9), one call each: a connection
/// takes a slot of its sandbox's connection budgets on accept, before the global
/// <c>limits.maxConnections</c> gate (so a sandbox over its own budget does not even take a global
/// slot); a request is admitted against the request budgets. Over a budget the client gets what
/// DESIGN.md "What a client sees" says (429 on HTTP, a close on TLS and DNS), one audit event with
/// reason <c>budget:&lt;name&gt;</c>, and a count in <c>gateway_budget_exceeded_total{budget}</c>.
/// </summary>
internal sealed partial class BudgetGate(SandboxRegistry sandboxes, SandboxBudgets budgets, EgressDecider decider, EgressRecorder recorder, ILogger<BudgetGate> logger)
{
    // How long a refused HTTP client is given to send its request head before the 429.
    private static readonly TimeSpan s_firstBytesWait = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Takes a connection slot for the sandbox <paramref name="connection"/> comes from. Refused:
    /// answered (429 on <c>forward</c> and <c>transparentHttp</c>, nothing on <c>transparentTls</c>),
    /// audited, counted; the caller ends the connection. An unknown source passes here: the entry
    /// point refuses it as unknown.
    /// </summary>
    public async ValueTask<BudgetLease> EnterAsync(ConnectionContext connection, string listener)
    {
        Sandbox? sandbox = sandboxes.Identify((connection.RemoteEndPoint as IPEndPoint)?.Address);
        if (sandbox is null)
        {
            return default;
        }

        connection.Items[SandboxBudgets.ItemKey] = sandbox;
        if (budgets.For(sandbox) is not { } budget)
        {
            return default;
        }

        BudgetKind exceeded = budget.TryOpenConnection(out RateLimitLease? slot);
        if (exceeded == BudgetKind.None)
        {
            return new BudgetLease(slot);
        }

        budgets.CountExceeded(exceeded);
        Log.ConnectionRefused(logger, sandbox.Name, listener, BudgetNames.Keys[(int)exceeded]);
        bool http = listener is ListenerKind.Forward or ListenerKind.TransparentHttp;
        var local = connection.LocalEndPoint as IPEndPoint;
        await RecordAsync(listener, sandbox, local, OriginalDestination.TryGetPort(connection) ?? local?.Port ?? 0, exceeded, http ? StatusCodes.Status429TooManyRequests : 0).ConfigureAwait(false);
        if (http)
        {
            try
            {
                await ReadFirstBytesAsync(connection).ConfigureAwait(false);
                await ProxyResponses.WriteErrorAsync(
                    connection.Transport.Output, StatusCodes.Status429TooManyRequests, BudgetNames.Message(exceeded, sandbox.Name), blocked: true, connection.ConnectionClosed).ConfigureAwait(false);
            }
            catch (Exception e) when (e is ConnectionResetException or OperationCanceledException or IOException)
            {
                // The client went away first: it was refused either way.
            }
        }

        return BudgetLease.Refusal;
    }

    // The answer waits for the request's first bytes (bounded): closing a socket whose request is
    // still arriving makes the kernel reset it, and a reset can discard the 429 before the client reads it.
    private static async Task ReadFirstBytesAsync(ConnectionContext connection)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(connection.ConnectionClosed);
        wait.CancelAfter(s_firstBytesWait);
        try
        {
            System.IO.Pipelines.ReadResult read = await connection.Transport.Input.ReadAsync(wait.Token).ConfigureAwait(false);
            connection.Transport.Input.AdvanceTo(read.Buffer.End);
        }
        catch (OperationCanceledException)
        {
            // Nothing came in time: answer anyway.
        }
    }

    /// <summary>The DNS-over-TCP accept: a slot for <paramref name="source"/>'s sandbox; refused connections are audited and closed by the caller.</summary>
    public async ValueTask<BudgetLease> EnterDnsAsync(IPAddress source, IPEndPoint? local)
    {
        if (sandboxes.Identify(source) is not { } sandbox || budgets.For(sandbox) is not { } budget)
        {
            return default;
        }

        BudgetKind exceeded = budget.TryOpenConnection(out RateLimitLease? slot);
        if (exceeded == BudgetKind.None)
        {
            return new BudgetLease(slot);
        }

        budgets.CountExceeded(exceeded);
        Log.ConnectionRefused(logger, sandbox.Name, "dns", BudgetNames.Keys[(int)exceeded]);
        await RecordAsync(ListenerKind.Dns, sandbox, local, local?.Port ?? 0, exceeded, status: 0).ConfigureAwait(false);
        return BudgetLease.Refusal;
    }

    // A connection refused on accept has no host yet: the event names the address it was made to.
    private ValueTask RecordAsync(string listener, Sandbox sandbox, IPEndPoint? local, int port, BudgetKind exceeded, int status)
    {
        var request = new EgressRequest
        {
            Listener = listener,
            Remote = null,
            HostText = local?.Address.ToString(),
            Port = port,
            Started = Stopwatch.GetTimestamp(),
        };
        EgressVerdict verdict = decider.Refuse(in request, BudgetNames.Reason(exceeded), status, error: null) with { Sandbox = sandbox };
        return recorder.RecordAsync(in verdict, EgressOutcome.Refused(status));
    }

    /// <summary>
    /// Admits a request on the forward or transparent HTTP path, decided by <paramref name="verdict"/>.
    /// True when it was refused (429 written, audited with reason <c>budget:&lt;name&gt;</c>, counted) and must not go on.
    /// </summary>
    public async ValueTask<bool> RefuseRequestAsync(HttpContext context, EgressVerdict verdict)
    {
        BudgetKind exceeded = budgets.Admit(context, verdict.Sandbox);
        if (exceeded == BudgetKind.None)
        {
            return false;
        }

        Log.RequestRefused(logger, verdict.Sandbox.Name, verdict.Host, verdict.Port, BudgetNames.Keys[(int)exceeded]);
        string reason = BudgetNames.Reason(exceeded);
        EgressVerdict refused = decider.RefuseRequest(in verdict, reason, StatusCodes.Status429TooManyRequests, reason, error: null);
        await recorder.RecordAsync(in refused, EgressOutcome.Refused(refused.Status)).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Gateway-Decision"] = "blocked";
        await context.Response.WriteAsync(BudgetNames.Message(exceeded, verdict.Sandbox.Name)).ConfigureAwait(false);
        return true;
    }

    private static partial class Log
    {
        [LoggerMessage(2480, LogLevel.Debug, "{Sandbox}: {Listener} connection refused, budget {Budget} used up")]
        public static partial void ConnectionRefused(ILogger logger, string sandbox, string listener, string budget);

        [LoggerMessage(2481, LogLevel.Debug, "{Sandbox}: request to {Host}:{Port} refused, budget {Budget} used up")]
        public static partial void RequestRefused(ILogger logger, string sandbox, string host, int port, string budget);
    }
}
