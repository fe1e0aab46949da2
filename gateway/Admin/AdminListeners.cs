using Gateway.Dns;
using Gateway.Hosting;
using Gateway.Listeners;
using Microsoft.Extensions.DependencyInjection;

namespace Gateway.Admin;

/// <summary>
/// Where each listener is bound ("0.0.0.0:15443", the kernel's port when configured with 0),
/// null when off: part of <c>GET /status</c>, so vmm redirects sandboxes to the ports the
/// gateway really serves.
/// </summary>
internal sealed record AdminListeners(string? Forward, string? TransparentHttp, string? TransparentTls, string? Dns, string? Metrics)
{
    public static AdminListeners From(IServiceProvider services)
    {
        ListenerEndPoints bound = services.GetRequiredService<ListenerEndPoints>();
        return new AdminListeners(
            bound.EndPointOf(ListenerKind.Forward)?.ToString(),
            bound.EndPointOf(ListenerKind.TransparentHttp)?.ToString(),
            bound.EndPointOf(ListenerKind.TransparentTls)?.ToString(),
            services.GetService<DnsServer>()?.EndPoint?.ToString(),
            bound.EndPointOf(ListenerKind.Metrics)?.ToString());
    }
}
