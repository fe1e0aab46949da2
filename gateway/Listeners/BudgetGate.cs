using System.Diagnostics;
using System.Net;
using System.Threading.RateLimiting;
using Gateway.Audit;
using Gateway.Hosting;
using Gateway.Sandboxes;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
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
internal sealed partial class BudgetGate(SandboxRegistry sandboxes, SandboxBudgets budgets, DecisionRecorder recorder, ILogger<BudgetGate> logger)
{
    /// <summary>The connection item holding the <see cref="Sandbox"/> identified on accept, for the requests it carries.</summary>
    public static readonly object ItemKey = new();

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

        connection.Items[ItemKey] = sandbox;
        if (budgets.For(sandbox) is not { } budget)
        {
            return default;
        }

        BudgetKind exceeded = budget.TryOpenConnection(out RateLimitLease? slot);
        if (exceeded == BudgetKind.None)
        {
            return new BudgetLease(slot);
        }

        long started = Stopwatch.GetTimestamp();
        budgets.CountExceeded(exceeded);
        Log.ConnectionRefused(logger, sandbox.Name, listener, BudgetNames.Keys[(int)exceeded]);
        bool http = listener is ListenerKind.Forward or ListenerKind.TransparentHttp;
        var local = connection.LocalEndPoint as IPEndPoint;
        int port = OriginalDestination.TryGetPort(connection) ?? local?.Port ?? 0;
        string proxy = listener == ListenerKind.Forward ? AuditEvent.ForwardProxy : AuditEvent.TransparentProxy;
        await recorder.RecordBudgetAsync(
            sandbox.Name, local?.Address.ToString() ?? "unknown", port, proxy, BudgetNames.Reason(exceeded), http ? StatusCodes.Status429TooManyRequests : 0, started).ConfigureAwait(false);
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
        await recorder.RecordBudgetAsync(
            sandbox.Name, local?.Address.ToString() ?? "unknown", local?.Port ?? 0, AuditEvent.DnsProxy, BudgetNames.Reason(exceeded), 0, Stopwatch.GetTimestamp()).ConfigureAwait(false);
        return BudgetLease.Refusal;
    }

    /// <summary>
    /// Admits a request on the forward or transparent HTTP path from <paramref name="sandbox"/>.
    /// True when it was refused (429 written, audited, counted) and must not go on.
    /// </summary>
    public async ValueTask<bool> RefuseRequestAsync(HttpContext context, Sandbox sandbox, string host, int port, string proxy, long startedTimestamp)
    {
        BudgetKind exceeded = Admit(context, sandbox);
        if (exceeded == BudgetKind.None)
        {
            return false;
        }

        Log.RequestRefused(logger, sandbox.Name, host, port, BudgetNames.Keys[(int)exceeded]);
        await recorder.RecordBudgetAsync(sandbox.Name, host, port, proxy, BudgetNames.Reason(exceeded), StatusCodes.Status429TooManyRequests, startedTimestamp).ConfigureAwait(false);
        context.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers["X-Gateway-Decision"] = "blocked";
        await context.Response.WriteAsync(BudgetNames.Message(exceeded, sandbox.Name)).ConfigureAwait(false);
        return true;
    }

    /// <summary>
    /// Admits a request of an intercepted connection against the budgets of the sandbox identified
    /// on accept; the budget it exceeded (counted) or <see cref="BudgetKind.None"/>. The caller
    /// refuses through its own recorder with <see cref="BudgetNames.Reason"/> as the rule id.
    /// </summary>
    public BudgetKind Admit(HttpContext context) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ItemKey, out object? item) == true && item is Sandbox sandbox
            ? Admit(context, sandbox)
            : BudgetKind.None;

    private BudgetKind Admit(HttpContext context, Sandbox sandbox)
    {
        if (budgets.For(sandbox) is not { } budget)
        {
            return BudgetKind.None;
        }

        long? length = context.Request.ContentLength;
        BudgetKind exceeded = budget.TryAdmitRequest(length);
        if (exceeded != BudgetKind.None)
        {
            budgets.CountExceeded(exceeded);
            return exceeded;
        }

        if (length is null && budget.MetersUploads && context.Features.Get<IHttpRequestBodyDetectionFeature>() is not { CanHaveBody: false })
        {
            context.Request.Body = new MeteredUploadStream(context.Request.Body, budget, budgets);
        }

        return BudgetKind.None;
    }

    private static partial class Log
    {
        [LoggerMessage(2480, LogLevel.Debug, "{Sandbox}: {Listener} connection refused, budget {Budget} used up")]
        public static partial void ConnectionRefused(ILogger logger, string sandbox, string listener, string budget);

        [LoggerMessage(2481, LogLevel.Debug, "{Sandbox}: request to {Host}:{Port} refused, budget {Budget} used up")]
        public static partial void RequestRefused(ILogger logger, string sandbox, string host, int port, string budget);
    }
}
