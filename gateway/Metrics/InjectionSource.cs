namespace Gateway.Metrics;

/// <summary>
/// The <c>source</c> label of <c>gateway_injections_total</c>: the mechanism that put a
/// credential on a request. Not the credential source's name: operators choose those, and a
/// label takes only values this enum can name.
/// </summary>
internal enum InjectionSource
{
    /// <summary>A kit's <c>network.serviceAuth</c> set its header.</summary>
    ServiceAuth,

    /// <summary>An <c>environment.proxyManaged</c> placeholder was replaced by the real value.</summary>
    Placeholder,
}
