namespace Gateway.Hosting;

/// <summary>Which listener a connection arrived on; stored in the connection's items so the one HTTP pipeline can tell them apart.</summary>
internal static class ListenerKind
{
    public const string ItemKey = "gateway.listener";
    public const string Forward = "forward";
    public const string Admin = "admin";
}
