using System.Net;
using System.Net.Sockets;
using Gateway.Configuration;
using Gateway.Interception.Certificates;
using Gateway.Listeners;
using Gateway.Metrics;
using Gateway.Policy;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

using Gateway.Audit;

namespace Gateway.Hosting;

/// <summary>The metrics listener (<c>listen.metrics</c>) and the metrics every listener feeds.</summary>
internal static partial class GatewayHost
{
    // The policy, the connection gate and the audit writer already count what the scrape reports.
    private static GatewayMetrics CreateMetrics(IServiceProvider services)
    {
        LivePolicy policy = services.GetRequiredService<LivePolicy>();
        ConnectionGate gate = services.GetRequiredService<ConnectionGate>();
        AuditWriter audit = services.GetRequiredService<AuditWriter>();
        LeafCertificateCache leaves = services.GetRequiredService<LeafCertificateCache>();
        return new GatewayMetrics
        {
            Sources = new MetricSources
            {
                ActiveConnections = () => gate.Open,
                Policy = () => policy.Current,
                PolicyReloads = () => policy.Reloads,
                PolicyReloadFailures = () => policy.FailedReloads,
                AuditQueueDepth = () => audit.QueueDepth,
                AuditDropped = () => audit.Dropped,
                AuditSuppressed = () => audit.Suppressed,
                AuditRotatedEvents = () => audit.RotatedEvents,
                AuditRetention = () => audit.Retention,
                CaNotAfter = () => new DateTimeOffset(leaves.Authority.Certificate.NotAfter.ToUniversalTime()),
            },
        };
    }

    /// <summary>A connection middleware that counts every connection a sandbox-facing listener accepts.</summary>
    private static Func<ConnectionDelegate, ConnectionDelegate> CountConnections(ListenOptions listen, string kind) => next =>
    {
        GatewayMetrics metrics = listen.ApplicationServices.GetRequiredService<GatewayMetrics>();
        return connection =>
        {
            metrics.ConnectionOpened(kind);
            return next(connection);
        };
    };

    private static void ListenMetrics(KestrelServerOptions kestrel, EndPoint endPoint, ListenerEndPoints endPoints)
    {
        if (endPoint is UnixDomainSocketEndPoint)
        {
            TryDelete(endPoint.ToString()!); // a socket file left by a daemon that crashed
        }

        kestrel.Listen(endPoint, listen =>
        {
            listen.Protocols = HttpProtocols.Http1;
            listen.Use(next => context =>
            {
                context.Items[ListenerKind.ItemKey] = ListenerKind.Metrics;
                return next(context);
            });
            endPoints.Add(ListenerKind.Metrics, listen);
        });
    }

    /// <summary>Connections on the metrics listener get /metrics, /healthz and /readyz, and never reach the proxy handler.</summary>
    private static void MapMetrics(WebApplication app) =>
        app.MapWhen(
            context => IsListener(context, ListenerKind.Metrics),
            branch => MetricsEndpoints.Map(branch, app.Services.GetRequiredService<GatewayMetrics>(), app.Services.GetRequiredService<Readiness>()));

    private static void OnMetricsStarted(WebApplication app, GatewayConfig config)
    {
        if (config.Listen.Metrics is not null
            && app.Services.GetRequiredService<ListenerEndPoints>().EndPointOf(ListenerKind.Metrics) is { } bound)
        {
            ILogger logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Gateway");
            Log.Listening(logger, "metrics", bound is UnixDomainSocketEndPoint ? "unix:" + bound : bound.ToString()!);
        }

        app.Services.GetRequiredService<Readiness>().MarkReady();
    }

    private static bool IsListener(HttpContext context, string kind) =>
        context.Features.Get<IConnectionItemsFeature>()?.Items.TryGetValue(ListenerKind.ItemKey, out object? value) == true
        && (string?)value == kind;
}
