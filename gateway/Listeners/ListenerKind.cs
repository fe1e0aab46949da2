namespace Gateway.Listeners;

/// <summary>Which listener a connection arrived on; stored in the connection's items so the one HTTP pipeline can tell them apart.</summary>
internal static class ListenerKind
{
    public const string ItemKey = "gateway.listener";
    public const string Forward = "forward";
    public const string TransparentHttp = "transparentHttp";
    public const string TransparentTls = "transparentTls";
    public const string Dns = "dns";
    public const string Admin = "admin";
    public const string Metrics = "metrics";
}
