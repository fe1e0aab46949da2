using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Gateway.Metrics;

/// <summary>
/// What the metrics listener serves: <c>/metrics</c> (Prometheus text, or OpenMetrics when
/// asked), <c>/healthz</c> and <c>/readyz</c>; 404 for anything else. Plain path matching,
/// no endpoint routing: routes mapped on the application are global, and the admin API's
/// must never become reachable on this TCP port.
/// </summary>
internal static class MetricsEndpoints
{
    /// <summary>The Prometheus scrape path.</summary>
    public const string MetricsPath = "/metrics";

    /// <summary>Liveness: 200 "ok" while the process serves requests.</summary>
    public const string HealthPath = "/healthz";

    /// <summary>Readiness: 200 once listeners are bound and the policy is loaded, 503 before and from shutdown on.</summary>
    public const string ReadyPath = "/readyz";

    /// <summary>Builds the branch of the pipeline for connections on the metrics listener.</summary>
    public static void Map(IApplicationBuilder branch, GatewayMetrics metrics, Readiness readiness)
    {
        branch.UseMetricServer(MetricsPath, metrics.Registry);
        branch.Run(context => ServeProbeAsync(context, readiness));
    }

    private static Task ServeProbeAsync(HttpContext context, Readiness readiness)
    {
        HttpRequest request = context.Request;
        bool health = request.Path.Equals(HealthPath, StringComparison.Ordinal);
        if (!health && !request.Path.Equals(ReadyPath, StringComparison.Ordinal))
        {
            return WriteAsync(context, StatusCodes.Status404NotFound, "not found: this listener serves /metrics, /healthz and /readyz\n");
        }

        if (!HttpMethods.IsGet(request.Method) && !HttpMethods.IsHead(request.Method))
        {
            context.Response.Headers.Allow = "GET, HEAD";
            return WriteAsync(context, StatusCodes.Status405MethodNotAllowed, "use GET\n");
        }

        // Health: the process serves requests. Readiness: it also serves sandboxes right now.
        return health
            ? WriteAsync(context, StatusCodes.Status200OK, "ok")
            : WriteAsync(context, readiness.IsReady ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable, readiness.State);
    }

    private static Task WriteAsync(HttpContext context, int status, string body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "text/plain; charset=utf-8";
        context.Response.Headers.CacheControl = "no-store";
        return context.Response.WriteAsync(body);
    }
}
