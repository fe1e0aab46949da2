namespace Vmm.Sandboxes;

/// <summary>
/// The gateway's ports a sandbox may reach on the host end of its link, learnt from the admin
/// API's <c>/status</c>. Null is a listener that is off or not reachable from sandboxes.
/// </summary>
/// <param name="TransparentHttp">Where TCP 80 is redirected.</param>
/// <param name="TransparentTls">Where TCP 443 is redirected.</param>
/// <param name="Dns">Where UDP and TCP 53 are redirected.</param>
/// <param name="Forward">The forward proxy's port (<c>HTTP_PROXY</c>), when sandboxes can reach it.</param>
/// <param name="ForwardAddress">
/// The one host address the forward proxy is bound to, or null when it listens on every address
/// (sandboxes then reach it on the host end of their own link).
/// </param>
internal sealed record GatewayPorts(int TransparentHttp, int TransparentTls, int Dns, int? Forward, string? ForwardAddress = null);
