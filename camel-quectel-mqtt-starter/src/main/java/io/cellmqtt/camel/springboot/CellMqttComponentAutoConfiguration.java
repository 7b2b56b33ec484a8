package io.cellmqtt.camel.springboot;

import io.cellmqtt.camel.CellMqttComponent;
import org.apache.camel.CamelContext;
import org.apache.camel.Component;
import org.apache.camel.spi.ComponentCustomizer;
import org.apache.camel.spring.boot.CamelAutoConfiguration;
import org.apache.camel.spring.boot.ComponentConfigurationProperties;
import org.apache.camel.spring.boot.util.CamelPropertiesHelper;
import org.apache.camel.spring.boot.util.ConditionalOnCamelContextAndAutoConfigurationBeans;
import org.apache.camel.spring.boot.util.ConditionalOnHierarchicalProperties;
import org.apache.camel.spring.boot.util.HierarchicalPropertiesEvaluator;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Conditional;
import org.springframework.context.annotation.Lazy;

/**
 * Binds {@code camel.component.cellmqtt.*} onto the {@code cellmqtt} component of the Spring Boot application's
 * CamelContext: a {@link ComponentCustomizer} copies every property that is set in {@link CellMqttComponentConfiguration}
 * onto the component (through the component's generated configurer, so {@code serialPort} lands in the component's
 * shared {@code CellMqttConfiguration}) when Camel creates the component.
 *
 * <p>Off with {@code camel.component.cellmqtt.enabled=false} (or {@code camel.component.enabled=false}); the
 * customizer alone off with {@code camel.component.cellmqtt.customizer.enabled=false} (or
 * {@code camel.component.customizer.enabled=false}).
 */
@AutoConfiguration(after = { CamelAutoConfiguration.class, CellMqttComponentConverter.class })
@Conditional(ConditionalOnCamelContextAndAutoConfigurationBeans.class)
@EnableConfigurationProperties({ ComponentConfigurationProperties.class, CellMqttComponentConfiguration.class })
@ConditionalOnHierarchicalProperties({ "camel.component", "camel.component.cellmqtt" })
public class CellMqttComponentAutoConfiguration {

    private final ApplicationContext applicationContext;
    private final CellMqttComponentConfiguration configuration;

    public CellMqttComponentAutoConfiguration(ApplicationContext applicationContext,
                                              CellMqttComponentConfiguration configuration) {
        this.applicationContext = applicationContext;
        this.configuration = configuration;
    }

    @Lazy
    @Bean
    public ComponentCustomizer configureCellMqttComponent() {
        return new ComponentCustomizer() {
            @Override
            public void configure(String name, Component target) {
                CamelContext context = target.getCamelContext();
                CamelPropertiesHelper.copyProperties(context, configuration, target);
            }

            @Override
            public boolean isEnabled(String name, Component target) {
                return HierarchicalPropertiesEvaluator.evaluate(applicationContext,
                        "camel.component.customizer", "camel.component.cellmqtt.customizer")
                        && target instanceof CellMqttComponent;
            }
        };
    }
}
