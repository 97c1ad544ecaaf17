package dev.sharpness.trainer.cli;

public class SamTrainer {
    public static void main(String[] args) {}
}
