namespace Gateway.Tests.Interception;

/// <summary>A clock the test moves by hand, for expiry and renewal without waiting.</summary>
internal sealed class ManualClock(DateTimeOffset start) : TimeProvider
{
    private DateTimeOffset _now = start;

    public static ManualClock AtNow() => new(DateTimeOffset.UtcNow);

    public override DateTimeOffset GetUtcNow() => _now;

    public void Advance(TimeSpan by) => _now += by;
}
