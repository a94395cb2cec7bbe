package org.rmaplab.mutants;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * The mutants run's fail-fast: once a test has caught the planted bug, every later test and
 * invocation of the run is disabled (JUnit 5.11 has no fail-fast of its own). Registered through
 * META-INF/services, which Jupiter reads only when extension autodetection is on — only in the
 * run {@link MutantsRun} launches — so the ordinary build never sees it.
 */
public final class StopAfterFirstFailure implements ExecutionCondition {
    /** Set by {@link MutantsRun}'s listener at the first failure, cleared before each bug. */
    static volatile boolean caught;

    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        return caught ? ConditionEvaluationResult.disabled("the planted bug is caught already")
                : ConditionEvaluationResult.enabled("not caught yet");
    }
}
