namespace Security.Tests.Fuzz;

/// <summary>A theory that drives afl-fuzz (Debian afl++); skipped, saying why, where it is not installed.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class AflFuzzTheoryAttribute : TheoryAttribute
{
    public AflFuzzTheoryAttribute()
    {
        if (!OperatingSystem.IsLinux())
        {
            Skip = "afl-fuzz and SharpFuzz's fork server need Linux";
        }
        else if (CoverageGuidedFuzzTests.AflFuzz is null)
        {
            Skip = "needs afl-fuzz: apt-get install afl++ (test.sh installs it)";
        }
    }
}
