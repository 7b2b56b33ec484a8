package io.cellmqtt.modem;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatIllegalArgumentException;

class TopicFilterTest {

    @ParameterizedTest(name = "{0} ~ {1} = {2}")
    @CsvSource({
            "plant/+/cmd, plant/7/cmd, true",
            "plant/+/cmd, plant/7/telemetry, false",
            "plant/+/cmd, plant/7/cmd/x, false",
            "plant/#, plant, true",
            "plant/#, plant/7/cmd, true",
            "#, plant/7, true",
            "+/+, a/b, true",
            "+/+, a, false",
            "+, '', true",
            "a/+, a/, true",
            "a/b, a/b, true",
            "a/b, a/c, false",
            "#, $SYS/x, false",
            "+/x, $SYS/x, false",
            "$SYS/#, $SYS/x, true",
    })
    void matchesAsMqttSays(String filter, String topic, boolean expected) {
        assertThat(TopicFilter.matches(filter, topic)).isEqualTo(expected);
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#/b", "a#", "a/b+", "", "+a"})
    void refusesMisplacedWildcards(String filter) {
        assertThatIllegalArgumentException().isThrownBy(() -> TopicFilter.requireValidFilter("filter", filter));
    }

    @ParameterizedTest
    @ValueSource(strings = {"a/#", "#", "+/b/+", "plant/+/cmd"})
    void acceptsWellFormedFilters(String filter) {
        TopicFilter.requireValidFilter("filter", filter);
        assertThat(TopicFilter.hasWildcard(filter)).isTrue();
    }
}
